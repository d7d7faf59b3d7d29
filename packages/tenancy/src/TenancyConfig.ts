/**
 * The `tenancy` section of the app's config file: the tenants, and how running tenants are kept.
 *
 * @since 0.1.0
 */
import { withDefault } from "@bulwark/core"
import { Schema } from "effect"
import { TenantConfig } from "./TenantConfig.ts"

/** Each tenant id once: a second entry with the same id would silently replace the first. */
const uniqueIds = Schema.makeFilter((tenants: ReadonlyArray<{ readonly id: string }>) => {
  const seen = new Map<string, number>()
  for (const [index, tenant] of tenants.entries()) {
    const first = seen.get(tenant.id)
    if (first !== undefined) {
      return { path: [index, "id"], issue: `tenant id "${tenant.id}" is already used by entry ${first}` }
    }
    seen.set(tenant.id, index)
  }
  return undefined
})

/** Tenants and the settings of tenancy; every key may be left out. */
export const TenancyConfig = Schema.Struct({
  tenants: withDefault(Schema.Array(TenantConfig).check(uniqueIds), []),
  /** How long a tenant no request uses stays up. */
  idleTimeToLive: withDefault(Schema.DurationFromString, "5 minutes"),
  /** How often running tenants and kill switches are re-read regardless of notifications. */
  resyncInterval: withDefault(Schema.DurationFromString, "30 seconds")
})

/** The decoded `tenancy` section. */
export type TenancyConfig = typeof TenancyConfig.Type
