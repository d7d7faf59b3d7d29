/**
 * The database layer: `SqlClient` and `PgClient` for an external PostgreSQL (`url`) or an embedded one.
 *
 * @since 0.1.0
 */
import { PgClient } from "@effect/sql-pg"
import { Duration, Effect, type Layer, type Scope } from "effect"
import type { Reactivity } from "effect/reactivity/Reactivity"
import type { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import { type DatabaseConfig, defaultDataDir } from "./DatabaseConfig.ts"
import * as EmbeddedPostgres from "./EmbeddedPostgres.ts"
import { type DatabaseError, DatabaseUnavailable } from "./Errors.ts"
import { describeSqlError, targetOfUrl } from "./internal/describe.ts"

/** How long the startup check waits for PostgreSQL to answer `select 1`. */
export const startupTimeout = Duration.seconds(10)

const unavailable = (target: string, hint: string) => (error: SqlError) =>
  new DatabaseUnavailable({
    target,
    message: `Cannot use PostgreSQL at ${target}: ${describeSqlError(error)}. ${hint}`,
    cause: error
  })

// Fails the layer early, with a message, rather than on the first query.
const checked = (client: PgClient.PgClient, target: string, hint: string) =>
  client`SELECT 1`.pipe(
    Effect.timeoutOrElse({
      duration: startupTimeout,
      orElse: () =>
        Effect.fail(
          new DatabaseUnavailable({
            target,
            message: `PostgreSQL at ${target} did not answer within ${Duration.format(startupTimeout)}. ${hint}`
          })
        )
    }),
    Effect.mapError((error) => (error instanceof DatabaseUnavailable ? error : unavailable(target, hint)(error))),
    Effect.as(client)
  )

const external = (config: DatabaseConfig & { readonly url: NonNullable<DatabaseConfig["url"]> }) => {
  const target = targetOfUrl(config.url)
  const hint =
    "Check that PostgreSQL is running and reachable, and that database.url has the right host, port, database, user and password."
  return Effect.gen(function* () {
    const client = yield* PgClient.make({ url: config.url, maxConnections: config.poolSize }).pipe(
      Effect.mapError(unavailable(target, hint))
    )
    yield* checked(client, target, hint)
    yield* Effect.logInfo(`Using PostgreSQL at ${target} (pool of ${config.poolSize})`)
    return client
  })
}

const embedded = (config: DatabaseConfig) =>
  Effect.gen(function* () {
    const storage: EmbeddedPostgres.Storage =
      config.embedded?.inMemory === true
        ? { _tag: "InMemory" }
        : { _tag: "DataDir", dataDir: config.embedded?.dataDir ?? defaultDataDir }
    const endpoint = yield* EmbeddedPostgres.start(storage)
    const target = `embedded ${endpoint.host}:${endpoint.port} (${endpoint.dataDir})`
    const hint = "The embedded database stopped answering; restart the process."
    const client = yield* PgClient.make({
      host: endpoint.host,
      port: endpoint.port,
      username: "postgres",
      database: "postgres",
      applicationName: "bulwark",
      // One connection, kept open: see EmbeddedPostgres for why.
      maxConnections: EmbeddedPostgres.maxConnections,
      minConnections: EmbeddedPostgres.maxConnections,
      idleTimeout: Duration.infinity
    }).pipe(Effect.mapError(unavailable(target, hint)))
    yield* checked(client, target, hint)
    yield* Effect.logInfo(
      `Using embedded PostgreSQL (PGlite) on ${endpoint.host}:${endpoint.port}, data in ${endpoint.dataDir}`
    )
    return client
  })

/**
 * Provides `SqlClient` and `PgClient`. With `config.url`: a pool of `poolSize` connections to that PostgreSQL.
 * Without: an embedded PostgreSQL (PGlite on 127.0.0.1, one connection), in memory or locked and persisted in
 * `embedded.dataDir`. Either way the layer answers `select 1` before it is built, and on release closes the pool,
 * then (embedded) the socket server, PGlite and the data dir lock.
 */
export const layer = (config: DatabaseConfig): Layer.Layer<PgClient.PgClient | SqlClient, DatabaseError> =>
  PgClient.layerFrom<DatabaseError, Scope.Scope | Reactivity>(
    config.url !== undefined ? external({ ...config, url: config.url }) : embedded(config)
  )
