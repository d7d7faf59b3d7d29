/**
 * The README's example, compiled and run. The code between the `#region readme` markers is the README's TypeScript
 * snippet, character for character (`test/readme/examples.test.ts` checks that).
 */

// #region readme
import { Database, DatabaseConfig, type Migration, MigrationRegistry, Migrations, Readiness } from "@bulwark/database"
import { Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql/SqlClient"

// A plugin owns its migrations, under its own name ("tickets"). Ids never change once shipped.
export const ticketMigrations: ReadonlyArray<Migration> = [
  { id: "0001", name: "create tickets", up: "CREATE TABLE tickets (id serial PRIMARY KEY, title text NOT NULL)" },
  {
    id: "0002",
    name: "add status",
    up: Effect.gen(function* () {
      const sql = yield* SqlClient
      yield* sql`ALTER TABLE tickets ADD COLUMN status text NOT NULL DEFAULT 'open'`
    })
  }
]

// The app decodes its config file's database section. Without `url` it runs an embedded PostgreSQL
// (persisted in `.bulwark/pglite` by default; here a throwaway in-memory one).
const config = Schema.decodeUnknownSync(DatabaseConfig)({ embedded: { inMemory: true } })

// One database and one migration registry per app; every plugin's migrations are applied on top.
const DatabaseLive = Layer.merge(Database.layer(config), MigrationRegistry.layer)
const AppLive = Migrations.layer("tickets", ticketMigrations).pipe(Layer.provideMerge(DatabaseLive))

// Plugins use SqlClient (or PgClient); /readyz answers with Readiness.httpStatus(report).
export const program = Effect.gen(function* () {
  const sql = yield* SqlClient
  yield* sql`INSERT INTO tickets (title) VALUES (${"Printer on fire"})`
  const tickets = yield* sql<{ title: string; status: string }>`SELECT title, status FROM tickets`
  const report = yield* Readiness.check()
  return { tickets, readyz: Readiness.httpStatus(report) }
}).pipe(Effect.provide(AppLive))

// #endregion readme

import { expect, it } from "@effect/vitest"

it.live("the example runs: migrations applied, a ticket stored, ready", () =>
  Effect.gen(function* () {
    const result = yield* program
    expect(result).toEqual({ tickets: [{ title: "Printer on fire", status: "open" }], readyz: 200 })
  })
)
