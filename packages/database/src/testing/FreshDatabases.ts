/**
 * Fresh, uniquely named databases on the real PostgreSQL at 127.0.0.1:5432 (trust, user postgres), for tests that
 * start servers as processes (Promise-based, for `beforeAll`/`afterAll`): created through a connection to the
 * `postgres` database and dropped `WITH (FORCE)` at the end. `BULWARK_TEST_PG_ADMIN_URL` points at another server.
 * Uses the product's own database layer as a plain SQL client.
 */
import { randomBytes } from "node:crypto"
import { Effect, Redacted, References } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import * as Database from "../Database.ts"
import { adminUrl } from "./TestDatabase.ts"

/** Runs one statement against the database at `url` over a short-lived connection. */
export const query = (url: string, statement: string): Promise<ReadonlyArray<Record<string, unknown>>> =>
  Effect.runPromise(
    Effect.flatMap(SqlClient, (sql) => sql.unsafe<Record<string, unknown>>(statement)).pipe(
      Effect.provide(Database.layer({ url: Redacted.make(url), poolSize: 1 })),
      Effect.provideService(References.MinimumLogLevel, "Warn")
    )
  )

const adminQuery = (statement: string) => query(adminUrl, statement)

const created = new Set<string>()

/** A database made for this run. */
export interface FreshDatabase {
  readonly name: string
  /** `postgres://postgres@127.0.0.1:5432/<name>`, for `DATABASE_URL`. */
  readonly url: string
}

/** Creates `bulwark_test_<label>_<random>`. */
export const createDatabase = async (label: string): Promise<FreshDatabase> => {
  const name = `bulwark_test_${label}_${randomBytes(5).toString("hex")}`
  await adminQuery(`CREATE DATABASE "${name}"`)
  created.add(name)
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return { name, url: url.toString() }
}

/** Drops every database made by `createDatabase` in this test file (stop the servers using them first). */
export const dropDatabases = async (): Promise<void> => {
  for (const name of [...created]) {
    await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    created.delete(name)
  }
}
