/**
 * The tenant the tenancy guard resolved for the request in flight, handed to the guards after it.
 *
 * @since 0.1.0
 */
import { type Call, Stage } from "@bulwark/core"
import { Context, Effect } from "effect"
import type { SwitchSnapshot } from "./Switches.ts"
import type { Tenant } from "./Tenant.ts"
import type { TenantConfig } from "./TenantConfig.ts"

/** The request's tenant, and the snapshots of its configuration and of the kill switches the whole request uses. */
export interface ResolvedTenant {
  readonly tenant: Tenant
  readonly config: TenantConfig
  readonly switches: SwitchSnapshot
}

/** Set by the tenancy guard around the rest of the pipeline; undefined outside it. */
export const CurrentTenant = Context.Reference<ResolvedTenant | undefined>("@bulwark/tenancy/CurrentTenant", {
  defaultValue: () => undefined
})

const miswired = (stage: string) => new Error(`the tenancy guard must run before the ${stage} guard`)

/**
 * A guard's check with the resolved tenant in `context` (set by the tenancy guard before it); a defect (a wiring
 * mistake) when the tenancy guard did not run before `stage`.
 */
export const checkWithTenant =
  (stage: string, check: (call: Call, resolved: ResolvedTenant, context: Context.Context<never>) => Stage.Verdict) =>
  (call: Call, context: Context.Context<never>): Stage.Verdict => {
    const resolved = Context.get(context, CurrentTenant)
    return resolved === undefined ? Stage.around(() => Effect.die(miswired(stage))) : check(call, resolved, context)
  }

/** Runs `f` with the resolved tenant; a defect (a wiring mistake) when the tenancy guard did not run before `stage`. */
export const withTenant = <A, E, R>(
  stage: string,
  f: (resolved: ResolvedTenant) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.withFiber((fiber) => {
    const resolved = fiber.getRef(CurrentTenant)
    return resolved === undefined ? Effect.die(miswired(stage)) : f(resolved)
  })

/** The resolved tenant; a defect (a wiring mistake) when the tenancy guard did not run before `stage`. */
export const requireTenant = (stage: string): Effect.Effect<ResolvedTenant> => withTenant(stage, Effect.succeed)
