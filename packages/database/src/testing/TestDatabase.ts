/**
 * A fresh, uniquely named database on a real PostgreSQL (default 127.0.0.1:5432, trust auth, user postgres; another
 * server with `BULWARK_TEST_PG_ADMIN_URL`), dropped (with FORCE) when the layer is released: one per test file.
 */
import { randomBytes } from "node:crypto"
import { PgClient } from "@effect/sql-pg"
import { Context, Effect, Layer, Redacted } from "effect"
import * as Reactivity from "effect/reactivity/Reactivity"
import * as Database from "../Database.ts"
import { DatabaseConfig } from "../DatabaseConfig.ts"
import { MigrationRegistry } from "../MigrationRegistry.ts"

/** The server-level URL test databases are created through (its `postgres` database). */
export const adminUrl: string = process.env.BULWARK_TEST_PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres"

/** The URL and name of this test file's database. */
export class TestDatabase extends Context.Service<TestDatabase, { readonly url: string; readonly name: string }>()(
  "@bulwark/database/testing/TestDatabase"
) {
  /** Creates `bulwark_test_<prefix>_<random>` and drops it on release. */
  static readonly layer = (prefix: string): Layer.Layer<TestDatabase> =>
    Layer.effect(
      TestDatabase,
      Effect.gen(function* () {
        const name = `bulwark_test_${prefix}_${randomBytes(4).toString("hex")}`
        const admin = yield* PgClient.make({ url: Redacted.make(adminUrl), maxConnections: 1 })
        yield* Effect.acquireRelease(admin.unsafe(`CREATE DATABASE "${name}"`), () =>
          admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).pipe(Effect.orDie)
        )
        const url = new URL(adminUrl)
        url.pathname = `/${name}`
        return { url: url.toString(), name }
      }).pipe(Effect.orDie)
    ).pipe(Layer.provide(Reactivity.layer))
}

/**
 * One "instance" of the app on the test database: the database layer with a pool of its own (`poolSize`) and a
 * migration registry. Provide `TestDatabase.layer(prefix)` under it.
 */
export const appDatabase = (poolSize: number) =>
  Layer.unwrap(
    Effect.map(TestDatabase, ({ url }) =>
      Layer.merge(Database.layer(DatabaseConfig.make({ url: Redacted.make(url), poolSize })), MigrationRegistry.layer)
    )
  )

/** Drops the database at `url` now (with FORCE), e.g. to see how a running instance copes with losing it. */
export const dropDatabase = (url: string): Effect.Effect<void> =>
  Effect.scoped(
    Effect.gen(function* () {
      const admin = yield* PgClient.make({ url: Redacted.make(adminUrl), maxConnections: 1 })
      const name = new URL(url).pathname.slice(1)
      yield* admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    }).pipe(Effect.provide(Reactivity.layer), Effect.orDie)
  )
