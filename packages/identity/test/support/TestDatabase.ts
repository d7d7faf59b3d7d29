/**
 * A fresh, uniquely named database on the real PostgreSQL at 127.0.0.1:5432 (trust auth, user postgres), dropped
 * (with FORCE) when the layer is released. Override the server with `BULWARK_TEST_PG_ADMIN_URL`.
 */
import { randomBytes } from "node:crypto"
import { Database, DatabaseConfig, MigrationRegistry } from "@bulwark/database"
import { PgClient } from "@effect/sql-pg"
import { Context, Effect, Layer, Redacted } from "effect"
import * as Reactivity from "effect/reactivity/Reactivity"

const adminUrl = process.env.BULWARK_TEST_PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres"

/** The URL of this test file's database. */
export class TestDatabase extends Context.Service<TestDatabase, { readonly url: string }>()(
  "@bulwark/identity/test/TestDatabase"
) {
  /** Creates `bulwark_test_identity_<prefix>_<random>` and drops it on release. */
  static readonly layer = (prefix: string): Layer.Layer<TestDatabase> =>
    Layer.effect(
      TestDatabase,
      Effect.gen(function* () {
        const name = `bulwark_test_identity_${prefix}_${randomBytes(4).toString("hex")}`
        const admin = yield* PgClient.make({ url: Redacted.make(adminUrl), maxConnections: 1 })
        yield* Effect.acquireRelease(admin.unsafe(`CREATE DATABASE "${name}"`), () =>
          admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).pipe(Effect.orDie)
        )
        const url = new URL(adminUrl)
        url.pathname = `/${name}`
        return { url: url.toString() }
      }).pipe(Effect.orDie)
    ).pipe(Layer.provide(Reactivity.layer))
}

/** A database layer (its own pool) and a migration registry on the test database: one "instance" of the app. */
export const appDatabase = Layer.unwrap(
  Effect.map(TestDatabase, ({ url }) =>
    Layer.merge(
      Database.layer(DatabaseConfig.make({ url: Redacted.make(url), poolSize: 4 })),
      MigrationRegistry.layer
    ).pipe(Layer.orDie)
  )
)

/** Drops the database at `url` now (forcefully), e.g. to see how a running instance copes with losing it. */
export const dropDatabase = (url: string): Effect.Effect<void> =>
  Effect.scoped(
    Effect.gen(function* () {
      const admin = yield* PgClient.make({ url: Redacted.make(adminUrl), maxConnections: 1 })
      const name = new URL(url).pathname.slice(1)
      yield* admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    }).pipe(Effect.provide(Reactivity.layer), Effect.orDie)
  )
