/**
 * The postgres plugin's configuration (`plugins.postgres` in the bundled server): the databases agents may read, each
 * with the schemas and tables they may see, which tenants may use it, the setting row-level security reads the
 * tenant from, and the caps every query runs under. The databases are the company's own, never Bulwark's: each is
 * reached as a role the operator created with `SELECT` only (see the README), which the plugin checks at start-up.
 */
import { withDefault } from "@bulwark/core"
import { Schema } from "effect"

const PositiveInt = Schema.Int.check(Schema.isGreaterThan(0))
const Identifier = Schema.String.check(Schema.isPattern(/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/))
/** `schema.table`, as an allow-list names a table. */
const QualifiedTable = Schema.String.check(Schema.isPattern(/^[A-Za-z_][A-Za-z0-9_$]*\.[A-Za-z_][A-Za-z0-9_$]*$/))
/** A setting name with a dot (a custom setting, as `current_setting('app.tenant_id')` reads it). */
const SettingName = Schema.String.check(Schema.isPattern(/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/))

/** What one tenant may see of a database (narrower than the database's own lists, never wider). */
export const TenantAccess = Schema.Struct({
  /** Schemas this tenant may read; the database's `schemas` when unset. */
  schemas: Schema.optionalKey(Schema.Array(Identifier)),
  /** Tables (`schema.table`) this tenant may read; every table of its schemas when unset. */
  tables: Schema.optionalKey(Schema.Array(QualifiedTable))
})

/** One database agents may read. */
export const TargetDatabaseConfig = Schema.Struct({
  /** What tools take as `database`, e.g. `analytics`. */
  name: Schema.String.check(Schema.isPattern(/^[a-z][a-z0-9_-]{0,62}$/)),
  /** A connection URL for the read-only role (`postgres://reader:...@host:5432/db`). */
  url: Schema.RedactedFromValue(Schema.NonEmptyString),
  /** Shown to agents by `list_databases`. */
  description: withDefault(Schema.String, ""),
  /** The schemas agents may read. */
  schemas: withDefault(Schema.Array(Identifier), ["public"]),
  /** When set, only these tables (`schema.table`) of those schemas. */
  tables: Schema.optionalKey(Schema.Array(QualifiedTable)),
  /** Which tenants may use the database, and what each may see; every tenant sees the lists above when unset. */
  tenants: Schema.optionalKey(Schema.Record(Schema.String, TenantAccess)),
  /**
   * For tables several tenants share under row-level security: the setting the plugin sets to the caller's tenant
   * id in every query's transaction (`SET LOCAL`), which the policies read with `current_setting(...)`.
   */
  tenantSetting: Schema.optionalKey(SettingName),
  /** Rows a result carries at most; a larger result is cut and says so. */
  maxRows: withDefault(PositiveInt, 1000),
  /** Bytes of JSON a result carries at most; a larger result is cut and says so. */
  maxBytes: withDefault(PositiveInt, 1_000_000),
  /** How long one statement may run in the database. */
  statementTimeout: withDefault(Schema.DurationFromString, "5 seconds"),
  /** How long a query run as a task (`run_long_query`) may run; at most half of the pool runs such queries at once. */
  longStatementTimeout: withDefault(Schema.DurationFromString, "5 minutes"),
  /** Connections to the database. */
  poolSize: withDefault(PositiveInt, 4)
})

/** The plugin's configuration. */
export const PostgresConfig = Schema.Struct({
  databases: withDefault(Schema.Array(TargetDatabaseConfig), [])
})

export type TenantAccess = typeof TenantAccess.Type
export type TargetDatabaseConfig = typeof TargetDatabaseConfig.Type
export type PostgresConfig = typeof PostgresConfig.Type
