/**
 * The postgres plugin: read-only SQL over a company's own PostgreSQL databases for agents, behind layered defences
 * (see `PostgresDatabases.ts`). Its tools and backends follow from its configuration: each configured database is a
 * backend (`postgres:<name>`) with its own deadline, breaker and bulkhead sized to its pool, and its long queries
 * (run as tasks) another (`postgres:<name>:long`) with a longer deadline and half of the pool; with no database
 * configured the plugin offers nothing. `Postgres`, its default export, is installable alone or into the bundled
 * server (`plugins.postgres.databases`).
 */
import { Backend, Plugin } from "@bulwark/core"
import { Duration, type Layer } from "effect"
import { PostgresConfig, type TargetDatabaseConfig } from "./config/PostgresConfig.ts"
import { allDefences, type Defences, layer, type PostgresDatabases } from "./PostgresDatabases.ts"
import { tableResource } from "./resources/tableResource.ts"
import type { TargetUnreachable, UnsafeRole } from "./target/UnsafeRole.ts"
import { backendName, databaseTools, longBackendName } from "./tools/databaseTools.ts"
import { queryTools } from "./tools/queryTools.ts"

/** A database's backend policy: a deadline past its statement timeout, a breaker, a bulkhead the size of its pool. */
const backendOf = (database: TargetDatabaseConfig) =>
  Backend.declare(backendName(database.name), {
    timeout: Duration.sum(database.statementTimeout, Duration.seconds(2)),
    retry: { retries: 1 },
    breaker: { consecutiveFailures: 5, openFor: "10 seconds" },
    bulkhead: {
      maxConcurrent: database.poolSize,
      maxQueued: database.poolSize * 4,
      queueTimeout: "2 seconds",
      perTenant: Math.max(1, Math.floor(database.poolSize / 2))
    }
  })

/**
 * The policy of a database's long queries (`run_long_query`, a task): a deadline past the long statement timeout, no
 * retry (a query that ran for minutes is not run again by itself), half of the pool, one per tenant.
 */
const longBackendOf = (database: TargetDatabaseConfig) =>
  Backend.declare(longBackendName(database.name), {
    timeout: Duration.sum(database.longStatementTimeout, Duration.seconds(5)),
    retry: { retries: 0 },
    breaker: { consecutiveFailures: 5, openFor: "30 seconds" },
    bulkhead: {
      maxConcurrent: Math.max(1, Math.floor(database.poolSize / 2)),
      maxQueued: 16,
      queueTimeout: "30 seconds",
      perTenant: 1
    }
  })

/** The plugin for a configuration. */
export const makePlugin = (config: PostgresConfig): Plugin.Plugin<PostgresDatabases> => {
  const names = config.databases.map((database) => database.name)
  return Plugin.make({
    name: "postgres",
    version: "0.1.0",
    description: "Read-only SQL over your PostgreSQL databases, scoped per tenant.",
    tools: names.length === 0 ? [] : [...databaseTools(names), ...queryTools(names)],
    resources: names.length === 0 ? [] : [tableResource(names)],
    backends: config.databases.flatMap((database) => [backendOf(database), longBackendOf(database)])
  })
}

/** The plugin installed with a configuration (and, only in tests, some defences off). */
export const install = (
  config: PostgresConfig,
  defences: Defences = allDefences
): Plugin.Installed<UnsafeRole | TargetUnreachable> =>
  Plugin.install(
    makePlugin(config),
    layer(config, defences) as Layer.Layer<PostgresDatabases, UnsafeRole | TargetUnreachable>
  )

/** The installable plugin: the server decodes `plugins.postgres` with `PostgresConfig` and installs it. */
export const Postgres: Plugin.Configurable<PostgresConfig, UnsafeRole | TargetUnreachable, never> = {
  _tag: "Configurable",
  name: "postgres",
  config: PostgresConfig as unknown as Plugin.Configurable<PostgresConfig>["config"],
  install: (config) => install(config)
}
