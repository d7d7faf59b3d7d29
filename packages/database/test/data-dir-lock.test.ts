/**
 * The data dir lock on its own (no PGlite): who holds it, when a lock is stale, and that release removes it.
 */

import { spawn } from "node:child_process"
import * as fs from "node:fs/promises"
import { hostname } from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import { DataDirLock } from "../src/index.ts"
import { tempDir } from "./support/tempDir.ts"

const lockFileIn = (dir: string) => path.join(dir, DataDirLock.lockFileName)

const writeLock = (dir: string, content: object | string) =>
  Effect.promise(() =>
    fs.writeFile(lockFileIn(dir), typeof content === "string" ? content : JSON.stringify(content), "utf8")
  )

const readLock = (dir: string) =>
  Effect.promise(() => fs.readFile(lockFileIn(dir), "utf8").then((text) => JSON.parse(text) as DataDirLock.LockInfo))

// The pid of a process that has already exited.
const deadPid = Effect.callback<number>((resume) => {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" })
  const pid = child.pid ?? -1
  child.once("exit", () => resume(Effect.succeed(pid)))
})

describe("DataDirLock", () => {
  it.live("is exclusive within a process and removed on release", () =>
    Effect.gen(function* () {
      const dir = path.join(yield* tempDir, "nested", "data")
      const scope = yield* Scope.make()
      const mine = yield* DataDirLock.acquire(dir).pipe(Scope.provide(scope))
      expect(yield* readLock(dir)).toMatchObject({ pid: process.pid, host: hostname(), token: mine.token })

      const second = yield* Effect.flip(Effect.scoped(DataDirLock.acquire(dir)))
      expect(second._tag).toBe("EmbeddedDatabaseLocked")
      expect(second.message).toContain("this process")
      // The failed attempt left the holder's lock alone.
      expect((yield* readLock(dir)).token).toBe(mine.token)

      yield* Scope.close(scope, Exit.void)
      const gone = yield* Effect.promise(() =>
        fs.access(lockFileIn(dir)).then(
          () => false,
          () => true
        )
      )
      expect(gone).toBe(true)
      // Free again.
      yield* Effect.scoped(DataDirLock.acquire(dir))
    })
  )

  it.live("takes over a lock whose process is gone, or that an earlier process with our pid left", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const pid = yield* deadPid
      yield* writeLock(dir, { pid, host: hostname(), token: "old", acquiredAt: "2020-01-01T00:00:00Z" })
      const taken = yield* Effect.scoped(
        Effect.flatMap(DataDirLock.acquire(dir), (info) => Effect.map(readLock(dir), (onDisk) => [info, onDisk]))
      )
      expect(taken[1]?.token).toBe(taken[0]?.token)
      expect(taken[1]?.pid).toBe(process.pid)

      // Same pid as ours but not a lock this process took: a previous incarnation (pid 1 in a container).
      yield* writeLock(dir, { pid: process.pid, host: hostname(), token: "previous-run", acquiredAt: "" })
      yield* Effect.scoped(DataDirLock.acquire(dir))
    })
  )

  it.live("respects a live holder, a holder on another host, and an unreadable lock file", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* writeLock(dir, { pid: process.ppid, host: hostname(), token: "parent", acquiredAt: "" })
      const live = yield* Effect.flip(Effect.scoped(DataDirLock.acquire(dir)))
      expect(live).toMatchObject({ _tag: "EmbeddedDatabaseLocked", holderPid: process.ppid })
      expect(live.message).toContain(`process ${process.ppid}`)
      expect(live.message).toContain(lockFileIn(dir))

      yield* writeLock(dir, { pid: 4242, host: "some-other-host", token: "remote", acquiredAt: "" })
      const remote = yield* Effect.flip(Effect.scoped(DataDirLock.acquire(dir)))
      expect(remote).toMatchObject({ _tag: "EmbeddedDatabaseLocked", holderHost: "some-other-host" })

      yield* writeLock(dir, "not json")
      const unreadable = yield* Effect.flip(Effect.scoped(DataDirLock.acquire(dir)))
      expect(unreadable._tag).toBe("EmbeddedDatabaseLocked")
      expect(unreadable.message).toContain("unknown process")
      // None of the refused attempts touched the holder's file.
      expect(yield* Effect.promise(() => fs.readFile(lockFileIn(dir), "utf8"))).toBe("not json")
    })
  )

  it.live("the holder keeps its lock fresh; another host's lock that nobody refreshes goes stale", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const ageOf = Effect.promise(() => fs.stat(lockFileIn(dir)).then((stat) => Date.now() - stat.mtimeMs))
      const backdate = Effect.promise(() => {
        const old = new Date(Date.now() - 120_000)
        return fs.utimes(lockFileIn(dir), old, old)
      })

      yield* Effect.scoped(
        Effect.gen(function* () {
          yield* DataDirLock.acquire(dir, { refreshEvery: "100 millis" })
          yield* backdate
          expect(yield* ageOf).toBeGreaterThan(100_000)
          yield* Effect.sleep("400 millis")
          expect(yield* ageOf).toBeLessThan(5_000)
        })
      )

      yield* writeLock(dir, { pid: 4242, host: "some-other-host", token: "remote", acquiredAt: "" })
      yield* backdate
      const taken = yield* Effect.scoped(DataDirLock.acquire(dir, { staleAfter: "60 seconds" }))
      expect(taken.pid).toBe(process.pid)
    })
  )
})
