/**
 * The tenancy guard (`admit` phase): the request must have a principal, whose tenant is configured, enabled and not
 * switched off. It holds the tenant's actor for the request, hands it to the later guards as `CurrentTenant` (with the
 * snapshots of its configuration and of the kill switches the request was admitted under), and hands the tenant's
 * ceiling on call timeouts to the execute phase as `TimeoutCap`.
 *
 * @since 0.1.0
 */
import { forbidden, Stage, TimeoutCap } from "@bulwark/core"
import { Duration, Effect } from "effect"
import { CurrentTenant } from "../CurrentTenant.ts"
import { Switches } from "../Switches.ts"
import { Tenants } from "../Tenants.ts"

/** The stage's name, as refusals and the audit log name it. */
export const name = "tenancy"

/** Builds the tenancy guard. */
export const make: Effect.Effect<Stage.Stage, never, Tenants | Switches> = Effect.gen(function* () {
  const tenants = yield* Tenants
  const switches = yield* Switches
  return Stage.make(name, "admit", (next) => (call) => {
    const principal = call.principal
    if (principal === undefined) return Effect.fail(forbidden(name, "Authentication required"))
    const tenantId = principal.tenantId
    // One answer for unknown, disabled and switched-off tenants.
    const unavailable = () => Effect.fail(forbidden(name, `Tenant "${tenantId}" is not available`))
    return Effect.flatMap(switches.current, (current) => {
      if (current.isOff("tenant", tenantId)) return unavailable()
      return tenants.hold(tenantId, (tenant) =>
        Effect.flatMap(tenant.config, (config) => {
          if (!config.enabled) return unavailable()
          const cap = config.limits.timeoutCap
          const rest = Effect.provideService(next(call), CurrentTenant, { tenant, config, switches: current })
          return cap === undefined ? rest : Effect.provideService(rest, TimeoutCap, Duration.toMillis(cap))
        })
      )
    }).pipe(
      // One handler for the lookup's two errors (the rest of the chain's refusals pass through).
      Effect.catch((error) =>
        error._tag === "TenantNotFound"
          ? unavailable()
          : error._tag === "TenancyStoreError"
            ? Effect.die(error)
            : Effect.fail(error)
      )
    )
  })
})
