/**
 * A fresh, uniquely named database on the real PostgreSQL at 127.0.0.1:5432 (trust auth, user postgres), dropped
 * (forcefully) when the layer is released. Another server via `BULWARK_TEST_PG_ADMIN_URL`.
 */
import { randomBytes } from "node:crypto"
import { PgClient } from "@effect/sql-pg"
import { Context, Effect, Layer, Redacted } from "effect"
import * as Reactivity from "effect/reactivity/Reactivity"

const adminUrl = process.env.BULWARK_TEST_PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres"

/** The URL of this test file's database. */
export class TestDatabase extends Context.Service<TestDatabase, { readonly url: string; readonly name: string }>()(
  "@bulwark/tenancy/test/TestDatabase"
) {
  /** Creates `bulwark_test_tenancy_<prefix>_<random>` and drops it on release. */
  static readonly layer = (prefix: string): Layer.Layer<TestDatabase> =>
    Layer.effect(
      TestDatabase,
      Effect.gen(function* () {
        const name = `bulwark_test_tenancy_${prefix}_${randomBytes(4).toString("hex")}`
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
