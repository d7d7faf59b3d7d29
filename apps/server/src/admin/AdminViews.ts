/**
 * The JSON the admin API answers with: tenants in their encoded (config-file) form, credentials without secrets,
 * switches, and the change values the stores return. Dates are ISO 8601 strings.
 *
 * @since 0.1.0
 */
import type { JsonValue } from "@bulwark/audit"
import type { CredentialInfo } from "@bulwark/identity"
import { type Switches, TenantConfig, type TenantDirectory } from "@bulwark/tenancy"

const iso = (date: Date | undefined): string | null => (date === undefined ? null : date.toISOString())

/** A tenant configuration in its JSON form (as written in the config file and accepted by `PUT`). */
export const tenantConfig = (config: TenantConfig.TenantConfig): JsonValue => TenantConfig.encode(config) as JsonValue

/** A stored tenant. */
export const tenant = (stored: TenantDirectory.StoredTenant) => ({
  id: stored.config.id,
  enabled: stored.config.enabled,
  source: stored.source,
  updatedAt: stored.updatedAt.toISOString(),
  config: tenantConfig(stored.config)
})

/** What a tenant write did. */
export const tenantChange = (change: TenantDirectory.TenantChange) => ({
  action: change.action,
  tenantId: change.tenantId,
  source: change.source,
  before: change.before === undefined ? null : tenantConfig(change.before),
  after: tenantConfig(change.after)
})

/** A credential as listed: never its secret or hash. `status` is derived from revocation and expiry. */
export const credential = (info: CredentialInfo, now: number) => ({
  keyId: info.keyId,
  tenantId: info.tenantId,
  name: info.name,
  scopes: [...info.scopes],
  status:
    info.revokedAt !== undefined
      ? "revoked"
      : info.expiresAt !== undefined && info.expiresAt.getTime() <= now
        ? "expired"
        : "active",
  createdAt: info.createdAt.toISOString(),
  expiresAt: iso(info.expiresAt),
  revokedAt: iso(info.revokedAt)
})

/** A kill switch that is set. */
export const killSwitch = (set: Switches.KillSwitch) => ({
  kind: set.kind,
  name: set.target,
  reason: set.reason,
  actor: set.actor,
  since: set.since.toISOString()
})

/** What a switch write did. */
export const switchChange = (change: Switches.SwitchChange) => ({
  action: change.action,
  kind: change.kind,
  name: change.target,
  reason: change.reason ?? null,
  actor: change.actor,
  previous: change.previous === undefined ? null : killSwitch(change.previous),
  at: change.at.toISOString()
})
