/**
 * A fresh, uniquely named PostgreSQL database for one test file, dropped when the layer is released.
 */
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer } from "effect"
import * as Reactivity from "effect/reactivity/Reactivity"
import type { SqlClient } from "effect/sql"
import type { SqlError } from "effect/sql/SqlError"

/** Where the test PostgreSQL runs (trust authentication). */
export const server = {
  host: process.env.PGHOST ?? "127.0.0.1",
  port: Number(process.env.PGPORT ?? 5432),
  username: process.env.PGUSER ?? "postgres"
}

/**
 * Creates `bulwark_tickets_<label>_<random>` through a connection to the `postgres` database, provides a client for
 * it, and on release closes that client and drops the database.
 */
export const freshDatabase = (label: string): Layer.Layer<SqlClient.SqlClient | PgClient.PgClient, SqlError> =>
  Layer.unwrap(
    Effect.gen(function* () {
      const name = `bulwark_tickets_${label}_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`
      const admin = yield* PgClient.make({ ...server, database: "postgres", maxConnections: 1 })
      yield* Effect.acquireRelease(admin.unsafe(`CREATE DATABASE "${name}"`), () =>
        admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).pipe(Effect.ignore)
      )
      return PgClient.layer({ ...server, database: name, maxConnections: 4 })
    })
  ).pipe(Layer.provide(Reactivity.layer))
