/**
 * The tenancy guard (`admit` phase): the request must have a principal, whose tenant is configured, enabled and not
 * switched off. It holds the tenant's actor for the request, hands it to the later guards as `CurrentTenant` (with the
 * snapshots of its configuration and of the kill switches the request was admitted under), and hands the tenant's
 * ceiling on call timeouts to the execute phase as `TimeoutCap`.
 *
 * @since 0.1.0
 */
import { forbidden, Stage, TimeoutCap } from "@bulwark/core"
import { Context, Duration, Effect } from "effect"
import { CurrentTenant } from "../CurrentTenant.ts"
import { Switches } from "../Switches.ts"
import type { Tenant } from "../Tenant.ts"
import type { TenantConfig } from "../TenantConfig.ts"
import { Tenants } from "../Tenants.ts"

/** The stage's name, as refusals and the audit log name it. */
export const name = "tenancy"

/** Builds the tenancy guard. */
export const make: Effect.Effect<Stage.Stage, never, Tenants | Switches> = Effect.gen(function* () {
  const tenants = yield* Tenants
  const switches = yield* Switches
  return Stage.guard(name, "admit", (call, context) => {
    const principal = call.principal
    if (principal === undefined) return forbidden(name, "Authentication required")
    const tenantId = principal.tenantId
    // One answer for unknown, disabled and switched-off tenants.
    const unavailable = () => forbidden(name, `Tenant "${tenantId}" is not available`)
    const current = switches.currentUnsafe()
    if (current.isOff("tenant", tenantId)) return unavailable()
    // What the rest of the chain is given: the tenant, the snapshots it was admitted under, the ceiling on timeouts.
    const resolvedIn = (services: Context.Context<never>, tenant: Tenant, config: TenantConfig) => {
      const cap = config.limits.timeoutCap
      const added = Context.add(services, CurrentTenant, { tenant, config, switches: current })
      return cap === undefined ? added : Context.add(added, TimeoutCap, Duration.toMillis(cap))
    }
    // A hold is up (calls on the tenant now or a moment ago): join it at once.
    const joined = tenants.join(tenantId)
    if (joined !== undefined) {
      const config = joined.tenant.configUnsafe()
      if (!config.enabled) {
        joined.leave()
        return unavailable()
      }
      return Stage.admitted({ context: resolvedIn(context, joined.tenant, config), end: joined.leave })
    }
    // Else bring a hold up, waiting for the actor (its first request, or the first after a quiet spell).
    return Stage.around((rest) =>
      tenants
        .hold(tenantId, (tenant) =>
          Effect.flatMap(tenant.config, (config) =>
            config.enabled
              ? Effect.updateContext(rest, (services: Context.Context<never>) => resolvedIn(services, tenant, config))
              : Effect.fail(unavailable())
          )
        )
        .pipe(
          // One handler for the lookup's two errors (the rest of the chain's refusals pass through).
          Effect.catch((error) =>
            error._tag === "TenantNotFound"
              ? Effect.fail(unavailable())
              : error._tag === "TenancyStoreError"
                ? Effect.die(error)
                : Effect.fail(error)
          )
        )
    )
  })
})
