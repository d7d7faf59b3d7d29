/**
 * The tenant the tenancy guard resolved for the request in flight, handed to the guards after it.
 *
 * @since 0.1.0
 */
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

/** Runs `f` with the resolved tenant; a defect (a wiring mistake) when the tenancy guard did not run before `stage`. */
export const withTenant = <A, E, R>(
  stage: string,
  f: (resolved: ResolvedTenant) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.withFiber((fiber) => {
    const resolved = fiber.getRef(CurrentTenant)
    return resolved === undefined
      ? Effect.die(new Error(`the tenancy guard must run before the ${stage} guard`))
      : f(resolved)
  })

/** The resolved tenant; a defect (a wiring mistake) when the tenancy guard did not run before `stage`. */
export const requireTenant = (stage: string): Effect.Effect<ResolvedTenant> => withTenant(stage, Effect.succeed)
