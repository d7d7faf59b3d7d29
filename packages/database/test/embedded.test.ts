/**
 * The embedded PostgreSQL (PGlite behind its socket server): in memory, persisted across restarts, and locked
 * against a second process.
 */

import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs/promises"
import { connect } from "node:net"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { PgClient } from "@effect/sql-pg"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import {
  Database,
  DatabaseConfig,
  DataDirLock,
  type Migration,
  MigrationRegistry,
  Readiness,
  runMigrations
} from "../src/index.ts"
import { tempDir } from "./support/tempDir.ts"

const embeddedAt = (dataDir: string) => Database.layer(DatabaseConfig.make({ embedded: { dataDir } }))

const notes: ReadonlyArray<Migration> = [
  { id: "0001", name: "create notes", up: "CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)" },
  {
    id: "0002",
    name: "add created_at",
    up: Effect.gen(function* () {
      const sql = yield* SqlClient
      yield* sql`ALTER TABLE notes ADD COLUMN created_at timestamptz NOT NULL DEFAULT now()`
    })
  }
]

const canConnect = (port: number) =>
  Effect.callback<boolean>((resume) => {
    const socket = connect(port, "127.0.0.1")
    socket.once("connect", () => {
      socket.destroy()
      resume(Effect.succeed(true))
    })
    socket.once("error", () => resume(Effect.succeed(false)))
  })

const exists = (file: string) =>
  Effect.promise(() =>
    fs.access(file).then(
      () => true,
      () => false
    )
  )

describe("embedded PostgreSQL", () => {
  it.live("in memory: serves SQL through PgClient, applies migrations, reports ready", () =>
    Effect.gen(function* () {
      const registry = yield* MigrationRegistry
      yield* registry.register("notes", notes)
      expect((yield* Readiness.check({ timeout: "5 seconds" })).ready).toBe(false)

      const applied = yield* runMigrations("notes", notes)
      expect(applied.map((ref) => ref.id)).toEqual(["0001", "0002"])
      expect(yield* runMigrations("notes", notes)).toEqual([])

      const sql = yield* SqlClient
      yield* sql`INSERT INTO notes (body) VALUES (${"hello"})`
      // Concurrent transactions share the one connection and stay isolated.
      yield* Effect.forEach(
        [1, 2, 3, 4, 5, 6],
        (n) =>
          sql.withTransaction(
            Effect.gen(function* () {
              yield* sql`INSERT INTO notes (body) VALUES (${`tx ${n}`})`
              yield* Effect.sleep("2 millis")
              yield* sql`INSERT INTO notes (body) VALUES (${`tx ${n} again`})`
            })
          ),
        { concurrency: "unbounded", discard: true }
      )
      const rows = yield* sql<{ count: number }>`SELECT count(*)::int AS count FROM notes`
      expect(rows).toEqual([{ count: 13 }])

      const report = yield* Readiness.check({ timeout: "5 seconds" })
      expect(report).toEqual({ ready: true, databaseReachable: true, pendingMigrations: [], problems: [] })

      // Runs with the embedded memory settings, not PostgreSQL's defaults (128MB of buffers, 1GB of WAL).
      const settings = yield* sql<{ name: string; setting: string }>`
        SELECT name, current_setting(name) AS setting FROM pg_settings
        WHERE name IN ('shared_buffers', 'max_wal_size', 'min_wal_size') ORDER BY name`
      expect(settings).toEqual([
        { name: "max_wal_size", setting: "64MB" },
        { name: "min_wal_size", setting: "32MB" },
        { name: "shared_buffers", setting: "16MB" }
      ])
    }).pipe(
      Effect.provide(
        Layer.merge(Database.layer(DatabaseConfig.make({ embedded: { inMemory: true } })), MigrationRegistry.layer)
      )
    )
  )

  it.live("persisted: data survives a restart of the layer; the data dir is locked while open", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const lockFile = path.join(dir, DataDirLock.lockFileName)

      const port = yield* Effect.gen(function* () {
        expect((yield* runMigrations("notes", notes)).length).toBe(2)
        const sql = yield* SqlClient
        yield* sql`INSERT INTO notes (body) VALUES ('kept across restarts')`
        expect(yield* exists(lockFile)).toBe(true)

        // A second layer on the same dir (here: in the same process) is refused before PGlite is touched.
        const locked = yield* Effect.flip(Layer.build(embeddedAt(dir)))
        expect(locked._tag).toBe("EmbeddedDatabaseLocked")
        if (locked._tag !== "EmbeddedDatabaseLocked") return yield* Effect.die("unreachable")
        expect(locked.holderPid).toBe(process.pid)
        expect(locked.message).toContain("this process")
        expect(locked.message).toContain(dir)
        const { config } = yield* PgClient.PgClient
        return config.port
      }).pipe(Effect.provide(embeddedAt(dir)))

      // Released cleanly: the socket server is closed and the lock is gone.
      expect(port).toBeGreaterThan(0)
      expect(yield* canConnect(port ?? 0)).toBe(false)
      expect(yield* exists(lockFile)).toBe(false)

      const rows = yield* Effect.gen(function* () {
        expect(yield* runMigrations("notes", notes)).toEqual([])
        const sql = yield* SqlClient
        return yield* sql<{ body: string }>`SELECT body FROM notes`
      }).pipe(Effect.provide(embeddedAt(dir)))
      expect(rows).toEqual([{ body: "kept across restarts" }])
    })
  )

  it.live("a data dir that is not a PGlite database, or not a directory, fails with EmbeddedDatabaseFailed", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const foreign = path.join(dir, "foreign")
      yield* Effect.promise(async () => {
        await fs.mkdir(foreign)
        await fs.writeFile(path.join(foreign, "PG_VERSION"), "99\n")
      })
      const error = yield* Effect.flip(Layer.build(embeddedAt(foreign)))
      expect(error._tag).toBe("EmbeddedDatabaseFailed")
      expect(error.message).toContain(foreign)
      // The failed start released its lock.
      expect(yield* exists(path.join(foreign, DataDirLock.lockFileName))).toBe(false)

      const file = path.join(dir, "a-file")
      yield* Effect.promise(() => fs.writeFile(file, ""))
      const notADir = yield* Effect.flip(Layer.build(embeddedAt(file)))
      expect(notADir._tag).toBe("EmbeddedDatabaseFailed")
      expect(notADir.message).toContain("writable")
    })
  )

  it.live("another process holding the data dir locks it; after that process crashes its lock is stale", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const child = yield* holder(dir)

      const locked = yield* Effect.flip(Layer.build(embeddedAt(dir)))
      expect(locked._tag).toBe("EmbeddedDatabaseLocked")
      if (locked._tag !== "EmbeddedDatabaseLocked") return
      expect(locked.holderPid).toBe(child.pid)
      expect(locked.message).toContain(`process ${child.pid}`)

      // kill -9: no cleanup, the lock file stays behind with a dead pid.
      yield* kill(child.process)
      expect(yield* exists(path.join(dir, DataDirLock.lockFileName))).toBe(true)

      const rows = yield* Effect.gen(function* () {
        const sql = yield* SqlClient
        return yield* sql<{ pid: number }>`SELECT pid FROM written_by_child`
      }).pipe(Effect.provide(embeddedAt(dir)))
      expect(rows).toEqual([{ pid: child.pid }])
    })
  )
})

const fixture = fileURLToPath(new URL("./fixtures/hold-embedded.ts", import.meta.url))

// Starts the fixture on `dir` and waits until it has the database open.
const holder = (dir: string) =>
  Effect.acquireRelease(
    Effect.callback<{ readonly process: ChildProcess; readonly pid: number }, Error>((resume) => {
      const child = spawn(process.execPath, [fixture, dir], { stdio: ["pipe", "pipe", "pipe"] })
      let output = ""
      const timer = setTimeout(() => {
        child.kill("SIGKILL")
        resume(Effect.fail(new Error(`fixture did not get ready in time: ${output}`)))
      }, 30_000)
      const onData = (chunk: Buffer) => {
        output += chunk.toString()
        const ready = /^ready (\d+)$/m.exec(output)
        if (ready !== null) {
          clearTimeout(timer)
          resume(Effect.succeed({ process: child, pid: Number(ready[1]) }))
        }
      }
      child.stdout.on("data", onData)
      child.stderr.on("data", (chunk: Buffer) => {
        output += chunk.toString()
      })
      child.once("exit", (code) => {
        clearTimeout(timer)
        resume(Effect.fail(new Error(`fixture exited with ${code}: ${output}`)))
      })
    }),
    ({ process: child }) => kill(child)
  )

const kill = (child: ChildProcess) =>
  Effect.callback<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    child.once("exit", () => resume(Effect.void))
    child.kill("SIGKILL")
  })
