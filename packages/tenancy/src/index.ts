/**
 * `@bulwark/tenancy`: tenants as supervised actors, their configuration in PostgreSQL (changed without restart on
 * every instance), kill switches, and the pipeline guards for tenancy, authorization, rate limits, quotas and
 * concurrency.
 *
 * @since 0.1.0
 */

/** What a principal may see and use, from allow-lists, scopes and kill switches. */
export * as AccessPolicy from "./AccessPolicy.ts"
/** How tenant and switch changes reach every instance (`layerNotify`, `layerLocal`, `modeFor`). */
export * as ChangeFeed from "./ChangeFeed.ts"
/** The tenant the tenancy guard resolved, for the guards after it. */
export { CurrentTenant, type ResolvedTenant, requireTenant } from "./CurrentTenant.ts"
/** Tenancy's typed failures. */
export { TenancyStoreError, TenantConfigInvalid, TenantNotFound } from "./Errors.ts"
/** `Guards.make(options)`: the five pipeline guards. */
export * as Guards from "./Guards.ts"
/** List-changed notifications to clients when tenants or kill switches change. */
export * as ListChanges from "./ListChanges.ts"
/** Daily and monthly cost-unit quotas in PostgreSQL. */
export * as Quotas from "./Quotas.ts"
/** The rate limiter layers (memory, Redis) and how a rate is taken. */
export * as RateLimits from "./RateLimits.ts"
/** Supervised background work. */
export * as Supervisor from "./Supervisor.ts"
/** Kill switches. */
export * as Switches from "./Switches.ts"
/** `Tenancy.layer(options)`: every tenancy service in one layer. */
export * as Tenancy from "./Tenancy.ts"
/** The app's `tenancy` config section. */
export { TenancyConfig } from "./TenancyConfig.ts"
/** Tenancy's metrics. */
export * as TenancyMetrics from "./TenancyMetrics.ts"
/** Tenancy's tables (migrations of "tenancy"). */
export * as TenancyMigrations from "./TenancyMigrations.ts"
/** A running tenant's actor. */
export type { Tenant, TenantHandle } from "./Tenant.ts"
/** A tenant's configuration (Effect Schema). */
export * as TenantConfig from "./TenantConfig.ts"
/** Tenants in PostgreSQL: get, list, upsert, disable, sync. */
export * as TenantDirectory from "./TenantDirectory.ts"
/** The running tenants. */
export * as Tenants from "./Tenants.ts"
