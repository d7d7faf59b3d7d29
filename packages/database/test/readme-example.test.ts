/**
 * The README's example, compiled and run. The code between the `#region readme` markers is the README's TypeScript
 * snippet, character for character; the first test checks that.
 */

import * as fs from "node:fs/promises"
import { expect, it } from "@effect/vitest"

const readmeUrl = new URL("../README.md", import.meta.url)

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

const readmeSnippets = async () => {
  const readme = await fs.readFile(readmeUrl, "utf8")
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1])
}

it("the README's snippet is this file's example, unchanged", async () => {
  const self = await fs.readFile(new URL(import.meta.url), "utf8")
  const example = /\/\/ #region readme\n([\s\S]*?)\/\/ #endregion readme\n/.exec(self)?.[1]
  expect(example).toBeDefined()
  expect(await readmeSnippets()).toContain(example)
})

it.live("the example runs: migrations applied, a ticket stored, ready", () =>
  Effect.gen(function* () {
    const result = yield* program
    expect(result).toEqual({ tickets: [{ title: "Printer on fire", status: "open" }], readyz: 200 })
  })
)
