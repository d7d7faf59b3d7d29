/**
 * `@bulwark/database`: PostgreSQL for Bulwark, external (pooled) or embedded (PGlite), with plugin-owned
 * migrations and a readiness check.
 *
 * @since 0.1.0
 */

/** `Database.layer(config)`: provides `SqlClient` and `PgClient`, external or embedded. */
export * as Database from "./Database.ts"
/** The database section of the configuration (an Effect Schema) and its `embedded` part. */
export { DatabaseConfig, EmbeddedConfig } from "./DatabaseConfig.ts"
/** The lock that keeps two processes off one embedded data dir. */
export * as DataDirLock from "./DataDirLock.ts"
/** The embedded PostgreSQL (PGlite behind a local socket server). */
export * as EmbeddedPostgres from "./EmbeddedPostgres.ts"
/** The typed failures of the layer and of migrations. */
export {
  type DatabaseError,
  DatabaseUnavailable,
  EmbeddedDatabaseFailed,
  EmbeddedDatabaseLocked,
  type MigrationError,
  MigrationFailed,
  MigrationsInvalid
} from "./Errors.ts"
/** A plugin's migration, and how runs and readiness name one. */
export type { Migration, MigrationRef } from "./Migration.ts"
/** The migrations this process knows, for readiness. */
export { MigrationRegistry } from "./MigrationRegistry.ts"
/** Running migrations, their layer, and listing pending ones. */
export * as Migrations from "./Migrations.ts"
/** `Migrations.run` and `Migrations.pending` under the names plugins look for. */
export { pending as pendingMigrations, run as runMigrations } from "./Migrations.ts"
/** A plugin on the server's PostgreSQL in a few lines: `read`/`write` tools with `run`, migrations as SQL texts. */
export * as SqlPlugin from "./plugin/SqlPlugin.ts"
/** The readiness check behind `/readyz`. */
export * as Readiness from "./Readiness.ts"
