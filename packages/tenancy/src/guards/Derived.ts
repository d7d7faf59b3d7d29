/**
 * What a guard works out from a tenant's configuration for a kind of request (its checks, label sets, counter series,
 * a verdict), made on the kind's first request and kept until the configuration changes: a changed configuration is
 * a new object, so the next request of the kind makes it again. Kinds are found by two names (a method and a tool,
 * say) in nested maps, so a request builds no key. Callers keep only kinds from bounded sets (the catalog's tools, the
 * served methods); past `limit` kinds a tenant's values start over all the same.
 *
 * @since 0.1.0
 */
import type { Tenant } from "../Tenant.ts"
import type { TenantConfig } from "../TenantConfig.ts"

/** The values of one tenant under one configuration. */
interface Kept<V> {
  readonly config: TenantConfig
  readonly byFirst: Map<string, Map<string, V>>
  size: number
}

/** Finds the value of a kind of request, making it with `make` the first time (see the module's description). */
export type Derived<V, A> = (tenant: Tenant, config: TenantConfig, first: string, second: string, from: A) => V

/** Keeps what `make` works out from a tenant's configuration and `from` (the request), per kind of request. */
export const make = <V, A>(
  derive: (tenant: Tenant, config: TenantConfig, from: A) => V,
  limit = 1000
): Derived<V, A> => {
  const byTenant = new WeakMap<Tenant, Kept<V>>()
  return (tenant, config, first, second, from) => {
    let kept = byTenant.get(tenant)
    if (kept === undefined || kept.config !== config || kept.size >= limit) {
      kept = { config, byFirst: new Map(), size: 0 }
      byTenant.set(tenant, kept)
    }
    let bySecond = kept.byFirst.get(first)
    if (bySecond === undefined) {
      bySecond = new Map()
      kept.byFirst.set(first, bySecond)
    }
    let value = bySecond.get(second)
    if (value === undefined) {
      value = derive(tenant, config, from)
      bySecond.set(second, value)
      kept.size += 1
    }
    return value
  }
}
