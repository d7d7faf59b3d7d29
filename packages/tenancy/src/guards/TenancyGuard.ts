/**
 * The tenancy guard: the request must have a principal, whose tenant is configured, enabled and not switched off.
 * It holds the tenant's actor for the request, hands it to the later guards and caps the call's timeout.
 *
 * @since 0.1.0
 */
import { forbidden, reject, Stage } from "@bulwark/core"
import { Duration, Effect } from "effect"
import { CurrentTenant } from "../CurrentTenant.ts"
import { Switches } from "../Switches.ts"
import { Tenants } from "../Tenants.ts"

/** The stage's name, as `rejectedBy` records it. */
export const name = "tenancy"

/** Builds the tenancy guard. */
export const make: Effect.Effect<Stage.Stage, never, Tenants | Switches> = Effect.gen(function* () {
  const tenants = yield* Tenants
  const switches = yield* Switches
  return Stage.make(name, (next) => (call) => {
    const principal = call.principal
    if (principal === undefined) return Effect.fail(reject(call, name, forbidden("Authentication required")))
    const tenantId = principal.tenantId
    // One answer for unknown, disabled and switched-off tenants.
    const unavailable = () => Effect.fail(reject(call, name, forbidden(`Tenant "${tenantId}" is not available`)))
    return Effect.gen(function* () {
      if ((yield* switches.current).isOff("tenant", tenantId)) return yield* unavailable()
      const tenant = yield* tenants.get(tenantId)
      const config = yield* tenant.config
      if (!config.enabled) return yield* unavailable()
      const cap = config.limits.timeoutCap
      if (cap !== undefined) call.timeoutCapMs = Duration.toMillis(cap)
      return yield* Effect.provideService(next(call), CurrentTenant, { tenant, config })
    }).pipe(
      Effect.catchTag("TenantNotFound", unavailable),
      Effect.catchTag("TenancyStoreError", (error) => Effect.die(error)),
      Effect.scoped
    )
  })
})
