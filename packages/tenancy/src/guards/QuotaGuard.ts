/**
 * The quota guard (`limit` phase): reserves a tool call's cost units (`toolCosts`, else `defaultCost`) against the tenant's daily
 * and monthly quotas before the call runs, and gives them back when a later guard refuses the call. Other requests
 * cost nothing. Units are counted per tenant and tool in `bulwark_quota_units_total` (quotas or not).
 *
 * @since 0.1.0
 */
import { limitExceeded, Stage, Target } from "@bulwark/core"
import { Cause, type Context, Effect, Exit } from "effect"
import { checkWithTenant } from "../CurrentTenant.ts"
import { Quotas } from "../Quotas.ts"
import * as TenancyMetrics from "../TenancyMetrics.ts"
import type { Tenant } from "../Tenant.ts"
import { lookup, type TenantConfig } from "../TenantConfig.ts"
import * as Derived from "./Derived.ts"

/** The stage's name, as refusals and the audit log name it. */
export const name = "quota"

/** The labels of a call's units: the tenant and the catalog's name of the tool. */
const labelsOf = (tenant: Tenant, target: Target.Target): Readonly<Record<string, string>> => ({
  tenant_id: tenant.id,
  tool_name: Target.toolLabelOf(target)
})

/** A `tools/call` target. */
type ToolCall = Target.Target & { readonly _tag: "ToolCall" }

/** The cost units of a call of the target's tool under `config`. */
const unitsOf = (config: TenantConfig, target: ToolCall): number =>
  lookup(config.quotas.toolCosts, target.name) ?? config.quotas.defaultCost

/** Admits a call with nothing to reserve, counting its units in `bulwark_quota_units_total` as it ends. */
const counting = (labels: Readonly<Record<string, string>>, units: number): Stage.Verdict => {
  const counted = TenancyMetrics.labelledOf(TenancyMetrics.quotaUnits, labels)
  return Stage.admitted({
    end: (exit, fiber) => {
      if (!refusedLater(exit)) counted.updateUnsafe(units, fiber.context)
      return undefined
    }
  })
}

/** Builds the quota guard. */
export const make: Effect.Effect<Stage.Stage, never, Quotas> = Effect.gen(function* () {
  const quotas = yield* Quotas
  // The verdicts of calls of the catalog's tools with nothing to reserve: the same for every call of a tool until the
  // tenant's configuration changes.
  const free = Derived.make((tenant, config, target: ToolCall) =>
    counting(labelsOf(tenant, target), unitsOf(config, target))
  )
  return Stage.guard(
    name,
    "limit",
    checkWithTenant(name, (call, { tenant, config }) => {
      const target = call.target
      if (target._tag !== "ToolCall") return undefined
      const units = unitsOf(config, target)
      // Nothing to reserve (no quota, or a free call): nothing to refund either, only the units to count.
      if (units === 0 || (config.quotas.daily === undefined && config.quotas.monthly === undefined)) {
        return target.tool === undefined
          ? counting(labelsOf(tenant, target), units)
          : free(tenant, config, target.name, "", target)
      }
      const labels = labelsOf(tenant, target)
      const countIn = (context: Context.Context<never>) =>
        TenancyMetrics.countIn(context, TenancyMetrics.quotaUnits, labels, units)
      return Stage.around((rest) =>
        quotas.reserve({ tenantId: tenant.id, units, daily: config.quotas.daily, monthly: config.quotas.monthly }).pipe(
          Effect.catchTag("QuotaExceeded", (exceeded) => {
            const limit = exceeded.period === "day" ? "daily quota" : "monthly quota"
            return TenancyMetrics.count(TenancyMetrics.quotaRejected, { ...labels, limit }).pipe(
              Effect.andThen(Effect.fail(limitExceeded(name, { limit, retryAfterMs: exceeded.retryAfterMs })))
            )
          }),
          Effect.catchTag("TenancyStoreError", (error) => Effect.die(error)),
          Effect.flatMap((reservation) =>
            rest.pipe(
              Effect.onExit((exit) =>
                refusedLater(exit)
                  ? quotas
                      .refund(reservation)
                      .pipe(
                        Effect.catch((error) => Effect.logWarning(`refunding quota of "${tenant.id}" failed`, error))
                      )
                  : Effect.withFiber((fiber) => Effect.sync(() => countIn(fiber.context)))
              )
            )
          )
        )
      )
    }),
    { order: 1 }
  )
})

/** Whether a later stage refused the request (its units are given back then). */
const refusedLater = (exit: Exit.Exit<unknown, unknown>): boolean => {
  if (Exit.isSuccess(exit)) return false
  const error = Cause.findErrorOption(exit.cause)
  return error._tag === "Some" && (error.value as { readonly _tag?: unknown })._tag === "Refused"
}
