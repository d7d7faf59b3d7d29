/**
 * The `tenancy` section of the app's config file: the tenants, and how running tenants are kept.
 *
 * @since 0.1.0
 */
import { withDefault } from "@bulwark/core"
import { Schema } from "effect"
import { TenantConfig } from "./TenantConfig.ts"

/** Tenants and the settings of tenancy; every key may be left out. */
export const TenancyConfig = Schema.Struct({
  tenants: withDefault(Schema.Array(TenantConfig), []),
  /** How long a tenant no request uses stays up. */
  idleTimeToLive: withDefault(Schema.DurationFromString, "5 minutes"),
  /** How often running tenants and kill switches are re-read regardless of notifications. */
  resyncInterval: withDefault(Schema.DurationFromString, "30 seconds")
})

/** The decoded `tenancy` section. */
export type TenancyConfig = typeof TenancyConfig.Type
