/**
 * Everything tenancy needs, as one layer for the app: its migrations, the change feed, the tenant directory, kill
 * switches, quotas and the running tenants. The rate limiter is chosen separately (`RateLimits.layerMemory` or
 * `RateLimits.layerRedis`).
 *
 * @since 0.1.0
 */
import type { MigrationError, MigrationRegistry } from "@bulwark/database"
import type { PgClient } from "@effect/sql-pg"
import { type Duration, Layer } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import * as ChangeFeed from "./ChangeFeed.ts"
import type { TenancyStoreError } from "./Errors.ts"
import * as Quotas from "./Quotas.ts"
import * as Switches from "./Switches.ts"
import * as TenancyMigrations from "./TenancyMigrations.ts"
import * as TenantDirectory from "./TenantDirectory.ts"
import * as Tenants from "./Tenants.ts"

/** Settings of the tenancy layer. */
export interface TenancyOptions extends Tenants.TenantsOptions {
  /** `"notify"` with an external PostgreSQL, `"local"` with the embedded one (see `ChangeFeed.modeFor`). */
  readonly propagation: ChangeFeed.PropagationMode
  /** How often everything is re-read regardless of notifications (default 30 s). */
  readonly resyncInterval?: Duration.Input
}

/** The services the tenancy layer provides. */
export type TenancyServices =
  | Tenants.Tenants
  | TenantDirectory.TenantDirectory
  | Switches.Switches
  | Quotas.Quotas
  | ChangeFeed.ChangeFeed

/** Applies tenancy's migrations, then provides its services for the life of the layer. */
export const layer = (
  options: TenancyOptions
): Layer.Layer<
  TenancyServices,
  MigrationError | TenancyStoreError,
  SqlClient | PgClient.PgClient | MigrationRegistry
> => {
  const feed = ChangeFeed.layer(
    options.propagation,
    options.resyncInterval === undefined ? {} : { resyncInterval: options.resyncInterval }
  )
  const stores = Layer.mergeAll(TenantDirectory.layer, Switches.layer, Quotas.layer).pipe(Layer.provideMerge(feed))
  return Tenants.layer(options).pipe(Layer.provideMerge(stores), Layer.provide(TenancyMigrations.layer))
}
