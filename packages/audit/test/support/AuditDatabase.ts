/** The app's database for a test: `Database.layer` on a test database, the migration registry, and the audit log. */
import { AuditConfig, AuditLog } from "@bulwark/audit"
import { Database, DatabaseConfig, MigrationRegistry } from "@bulwark/database"
import { Layer, Redacted, Schema } from "effect"

/** `Database.layer` over `url` (a pool of `poolSize`) and a migration registry. */
export const databaseAt = (url: string, poolSize = 4) =>
  Layer.merge(Database.layer(DatabaseConfig.make({ url: Redacted.make(url), poolSize })), MigrationRegistry.layer)

/** Settings as a config file would write them, e.g. `{ flushInterval: "20 millis" }`. */
export type AuditSettings = Partial<(typeof AuditConfig)["Encoded"]>

/** Audit settings for tests: the defaults with `overrides`, decoded like the app decodes its config file. */
export const auditConfig = (overrides: AuditSettings = {}): AuditConfig =>
  Schema.decodeUnknownSync(AuditConfig)(overrides)

/** An audit log over its own database layer (its own pool), as a separate server instance would have. */
export const auditInstance = (url: string, overrides: AuditSettings = {}, poolSize = 4) =>
  AuditLog.layer(auditConfig(overrides)).pipe(Layer.provideMerge(databaseAt(url, poolSize)))
