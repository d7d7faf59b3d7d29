/**
 * Migrations and readiness against the real PostgreSQL at 127.0.0.1:5432, in a fresh database of this file.
 */
import { expect, layer } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import {
  Database,
  DatabaseConfig,
  type Migration,
  MigrationRegistry,
  Migrations,
  Readiness,
  runMigrations
} from "../src/index.ts"
import { TestDatabase } from "./support/TestDatabase.ts"

const configFor = (url: string, poolSize = 4) => DatabaseConfig.make({ url: Redacted.make(url), poolSize })

const DatabaseLive = Layer.unwrap(
  Effect.gen(function* () {
    const { url } = yield* TestDatabase
    return Layer.merge(Database.layer(configFor(url)), MigrationRegistry.layer)
  })
).pipe(Layer.provideMerge(TestDatabase.layer("migrations")))

const appliedIds = (owner: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient
    const rows = yield* sql<{ id: string }>`SELECT id FROM bulwark_migrations WHERE owner = ${owner} ORDER BY id`
    return rows.map((row) => row.id)
  })

const tableExists = (name: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient
    const rows = yield* sql<{ present: boolean }>`SELECT to_regclass(${name}) IS NOT NULL AS present`
    return rows[0]?.present === true
  })

layer(DatabaseLive, { excludeTestServices: true })("migrations on PostgreSQL", (it) => {
  it.effect("applies each migration once, in order, and a re-run is a no-op", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const migrations: Array<Migration> = [
        {
          id: "0001",
          name: "create notes",
          up: "CREATE TABLE once_notes (id serial PRIMARY KEY, body text NOT NULL); INSERT INTO once_notes (body) VALUES ('seed; with a semicolon');"
        },
        {
          id: "0002",
          name: "add tag",
          up: Effect.gen(function* () {
            const sql = yield* SqlClient
            yield* sql`ALTER TABLE once_notes ADD COLUMN tag text NOT NULL DEFAULT 'none'`
          })
        }
      ]
      const first = yield* runMigrations("once", migrations)
      expect(first).toEqual([
        { owner: "once", id: "0001", name: "create notes" },
        { owner: "once", id: "0002", name: "add tag" }
      ])
      const recorded = yield* sql<{
        id: string
        name: string
        applied_at: Date
      }>`SELECT id, name, applied_at FROM bulwark_migrations WHERE owner = 'once' ORDER BY id`
      expect(recorded.map((row) => [row.id, row.name])).toEqual([
        ["0001", "create notes"],
        ["0002", "add tag"]
      ])
      expect(recorded[0]?.applied_at).toBeInstanceOf(Date)

      const second = yield* runMigrations("once", migrations)
      expect(second).toEqual([])
      const recordedAgain = yield* sql<{
        applied_at: Date
      }>`SELECT applied_at FROM bulwark_migrations WHERE owner = 'once' ORDER BY id`
      expect(recordedAgain.map((row) => row.applied_at.getTime())).toEqual(
        recorded.map((row) => row.applied_at.getTime())
      )
      const notes = yield* sql<{ body: string; tag: string }>`SELECT body, tag FROM once_notes`
      expect(notes).toEqual([{ body: "seed; with a semicolon", tag: "none" }])

      // A later release adds one: only it runs.
      const third = yield* runMigrations("once", [
        ...migrations,
        { id: "0003", name: "index tag", up: "CREATE INDEX once_notes_tag ON once_notes (tag)" }
      ])
      expect(third.map((ref) => ref.id)).toEqual(["0003"])
      expect(yield* appliedIds("once")).toEqual(["0001", "0002", "0003"])
    })
  )

  it.effect("two instances with separate pools starting at once apply each migration exactly once", () =>
    Effect.gen(function* () {
      const { url } = yield* TestDatabase
      const runs = new Map<string, number>()
      const counted = (id: string, statement: string): Migration => ({
        id,
        name: `step ${id}`,
        up: Effect.gen(function* () {
          runs.set(id, (runs.get(id) ?? 0) + 1)
          const sql = yield* SqlClient
          yield* sql`SELECT pg_sleep(0.15)`
          yield* sql.unsafe(statement)
        })
      })
      const migrations = [
        counted("0001", "CREATE TABLE race_log (step text PRIMARY KEY)"),
        counted("0002", "INSERT INTO race_log VALUES ('0002')"),
        counted("0003", "INSERT INTO race_log VALUES ('0003')")
      ]
      // Each instance has its own Database layer, so its own pool and connections.
      const instance = Layer.build(Database.layer(configFor(url, 2)))
      const [a, b] = yield* Effect.all([instance, instance])
      const [appliedByA, appliedByB] = yield* Effect.all(
        [
          runMigrations("race", migrations).pipe(Effect.provideContext(a)),
          runMigrations("race", migrations).pipe(Effect.provideContext(b))
        ],
        { concurrency: "unbounded" }
      )
      const all = [...appliedByA, ...appliedByB].map((ref) => ref.id).sort()
      expect(all).toEqual(["0001", "0002", "0003"])
      expect([...runs.entries()].sort()).toEqual([
        ["0001", 1],
        ["0002", 1],
        ["0003", 1]
      ])
      const sql = yield* SqlClient
      expect(yield* sql<{ step: string }>`SELECT step FROM race_log ORDER BY step`).toEqual([
        { step: "0002" },
        { step: "0003" }
      ])
      expect(yield* appliedIds("race")).toEqual(["0001", "0002", "0003"])
    })
  )

  it.effect("a failing migration is rolled back, reported as MigrationFailed, and stops the run", () =>
    Effect.gen(function* () {
      const migrations: Array<Migration> = [
        { id: "0001", name: "good", up: "CREATE TABLE fail_good (x int)" },
        {
          id: "0002",
          name: "bad",
          up: "CREATE TABLE fail_partial (x int); INSERT INTO fail_partial VALUES (1); SELEC broken"
        },
        { id: "0003", name: "after", up: "CREATE TABLE fail_after (x int)" }
      ]
      const error = yield* Effect.flip(runMigrations("failing", migrations))
      expect(error._tag).toBe("MigrationFailed")
      if (error._tag !== "MigrationFailed") return
      expect(error.migrationId).toBe("0002")
      expect(error.message).toContain("failing/0002")
      expect(error.message).toContain("syntax error")
      expect(yield* tableExists("fail_good")).toBe(true)
      expect(yield* tableExists("fail_partial")).toBe(false)
      expect(yield* tableExists("fail_after")).toBe(false)
      expect(yield* appliedIds("failing")).toEqual(["0001"])

      // A defect in an Effect migration is a typed failure too, and rolls back what it did.
      const defect = yield* Effect.flip(
        runMigrations("failing", [
          migrations[0]!,
          {
            id: "0002",
            name: "throws",
            up: Effect.gen(function* () {
              const sql = yield* SqlClient
              yield* sql`CREATE TABLE fail_partial (x int)`
              return yield* Effect.die(new Error("boom"))
            })
          }
        ])
      )
      expect(defect._tag).toBe("MigrationFailed")
      expect(defect.message).toContain("boom")
      expect(yield* tableExists("fail_partial")).toBe(false)

      // Once fixed, the rest applies.
      const fixed = yield* runMigrations("failing", [
        migrations[0]!,
        { id: "0002", name: "fixed", up: "CREATE TABLE fail_partial (x int)" },
        migrations[2]!
      ])
      expect(fixed.map((ref) => ref.id)).toEqual(["0002", "0003"])
    })
  )

  it.effect("rejects malformed migration lists before touching the database", () =>
    Effect.gen(function* () {
      const duplicate = yield* Effect.flip(
        runMigrations("dupes", [
          { id: "0001", name: "a", up: "SELECT 1" },
          { id: "0001", name: "b", up: "SELECT 1" }
        ])
      )
      expect(duplicate._tag).toBe("MigrationsInvalid")
      expect(duplicate.message).toContain('"0001"')
      const noOwner = yield* Effect.flip(runMigrations(" ", []))
      expect(noOwner._tag).toBe("MigrationsInvalid")
      expect(yield* appliedIds("dupes")).toEqual([])
    })
  )

  it.effect("readiness is false before the registered migrations are applied and true after", () =>
    Effect.gen(function* () {
      const migrations: Array<Migration> = [
        { id: "0001", name: "create widgets", up: "CREATE TABLE widgets (id int)" },
        { id: "0002", name: "seed widgets", up: "INSERT INTO widgets VALUES (1)" }
      ]
      const registry = yield* MigrationRegistry
      yield* registry.register("widgets", migrations)

      const before = yield* Readiness.check()
      expect(before.ready).toBe(false)
      expect(before.databaseReachable).toBe(true)
      expect(before.pendingMigrations.map((ref) => `${ref.owner}/${ref.id}`)).toEqual(["widgets/0001", "widgets/0002"])
      expect(Readiness.httpStatus(before)).toBe(503)
      expect(yield* Migrations.pendingRegistered).toHaveLength(2)

      yield* runMigrations("widgets", migrations.slice(0, 1))
      const half = yield* Readiness.check()
      expect(half.ready).toBe(false)
      expect(half.pendingMigrations.map((ref) => ref.id)).toEqual(["0002"])

      // Migrations.layer registers (again, identically) and applies while it is built.
      yield* Layer.build(Migrations.layer("widgets", migrations))
      const after = yield* Readiness.check()
      expect(after).toEqual({ ready: true, databaseReachable: true, pendingMigrations: [], problems: [] })
      expect(Readiness.httpStatus(after)).toBe(200)

      const conflicting = yield* Effect.flip(registry.register("widgets", migrations.slice(0, 1)))
      expect(conflicting._tag).toBe("MigrationsInvalid")
    })
  )
})
