/**
 * An exclusive lock on an embedded database's data dir, held for the life of a scope.
 *
 * PGlite 0.5 takes no lock of its own: it writes a `postmaster.pid` with a fake pid and a second PGlite happily
 * opens the same directory, which corrupts it. So we keep `bulwark.lock` in the data dir, holding the owner's pid,
 * host and a random token. It is created atomically (written to a temp file, then hard-linked into place, which
 * fails if it exists), and its holder touches it every `refreshEvery`. A lock is stale, and taken over, when its
 * process is gone (same host: the pid is not alive) or, from another host whose pids we cannot check, when it has
 * not been touched for `staleAfter` (a crashed container rescheduled elsewhere must not stay locked out forever).
 *
 * @since 0.1.0
 */

import { randomUUID } from "node:crypto"
import * as fs from "node:fs/promises"
import { hostname } from "node:os"
import * as path from "node:path"
import { Duration, Effect, type Scope } from "effect"
import { EmbeddedDatabaseFailed, EmbeddedDatabaseLocked } from "./Errors.ts"
import { describeUnknown } from "./internal/describe.ts"

/** Name of the lock file inside the data dir. */
export const lockFileName = "bulwark.lock"

/** How often a holder touches its lock file (default of `acquire`'s `refreshEvery`). */
export const defaultRefreshEvery = Duration.seconds(10)

/** Age after which another host's untouched lock is stale (default of `acquire`'s `staleAfter`). */
export const defaultStaleAfter = Duration.seconds(60)

/** Options of {@link acquire}. */
export interface Options {
  readonly refreshEvery?: Duration.Input
  readonly staleAfter?: Duration.Input
}

/** What a lock file holds. */
export interface LockInfo {
  readonly pid: number
  readonly host: string
  readonly token: string
  readonly acquiredAt: string
}

// Tokens of the locks this process holds or is taking: a lock file carrying our own pid is live only if its token is
// listed here; otherwise it was left by an earlier process that had the same pid (pid 1 in a restarted container).
const liveTokens = new Set<string>()

const failed = (dataDir: string, what: string) => (cause: unknown) =>
  new EmbeddedDatabaseFailed({
    dataDir,
    message: `Could not ${what} for the embedded database in ${dataDir}: ${describeUnknown(cause)}. Check that the directory is writable by this process.`,
    cause
  })

const parseLock = (text: string): LockInfo | undefined => {
  try {
    const value: unknown = JSON.parse(text)
    if (
      typeof value === "object" &&
      value !== null &&
      "pid" in value &&
      typeof value.pid === "number" &&
      Number.isInteger(value.pid) &&
      value.pid > 0 &&
      "host" in value &&
      typeof value.host === "string" &&
      "token" in value &&
      typeof value.token === "string"
    ) {
      const acquiredAt = "acquiredAt" in value && typeof value.acquiredAt === "string" ? value.acquiredAt : ""
      return { pid: value.pid, host: value.host, token: value.token, acquiredAt }
    }
  } catch {
    // unparsable: reported as held by an unknown process below
  }
  return undefined
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

const readIfExists = (file: string) =>
  Effect.tryPromise({
    try: async () => {
      const stat = await fs.stat(file)
      return { text: await fs.readFile(file, "utf8"), ageMillis: Date.now() - stat.mtimeMs }
    },
    catch: (cause) => cause
  }).pipe(
    Effect.map((found): { readonly text: string; readonly ageMillis: number } | undefined => found),
    Effect.catch((cause) =>
      (cause as NodeJS.ErrnoException).code === "ENOENT" ? Effect.succeed(undefined) : Effect.fail(cause)
    )
  )

/** Creates `file` with `content` only if it does not exist; `false` if it did. */
const createExclusive = (file: string, content: string) =>
  Effect.tryPromise({
    try: async () => {
      const temp = `${file}.${randomUUID()}.tmp`
      await fs.writeFile(temp, content, { flag: "wx" })
      try {
        await fs.link(temp, file)
        return true
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") return false
        throw error
      } finally {
        await fs.rm(temp, { force: true })
      }
    },
    catch: (cause) => cause
  })

type Holder = { readonly _tag: "Held"; readonly info: LockInfo | undefined } | { readonly _tag: "Stale" }

const judge = (info: LockInfo | undefined, ageMillis: number, staleAfterMillis: number): Holder => {
  if (info === undefined) return { _tag: "Held", info }
  if (info.host !== hostname()) return ageMillis > staleAfterMillis ? { _tag: "Stale" } : { _tag: "Held", info }
  if (info.pid === process.pid) return liveTokens.has(info.token) ? { _tag: "Held", info } : { _tag: "Stale" }
  return isAlive(info.pid) ? { _tag: "Held", info } : { _tag: "Stale" }
}

const lockedError = (dataDir: string, lockFile: string, info: LockInfo | undefined) => {
  const holder =
    info === undefined
      ? "an unknown process (the lock file is unreadable)"
      : info.pid === process.pid && info.host === hostname()
        ? "this process (another Database layer is already using it)"
        : `process ${info.pid} on host ${info.host}`
  return new EmbeddedDatabaseLocked({
    dataDir,
    lockFile,
    holderPid: info?.pid ?? -1,
    holderHost: info?.host ?? "unknown",
    message:
      `The embedded database in ${dataDir} is in use by ${holder}. Two processes must not open the same data dir: ` +
      `stop the other one, point embedded.dataDir elsewhere, or set database.url to a shared PostgreSQL. ` +
      `If you are sure no process uses it, delete ${lockFile}.`
  })
}

/**
 * Locks `dataDir` (created if missing) until the scope closes, touching the lock file meanwhile; fails with
 * `EmbeddedDatabaseLocked` if another live process, or another layer of this process, holds it.
 */
export const acquire = (
  dataDir: string,
  options?: Options
): Effect.Effect<LockInfo, EmbeddedDatabaseLocked | EmbeddedDatabaseFailed, Scope.Scope> =>
  Effect.gen(function* () {
    const dir = path.resolve(dataDir)
    const refreshEvery = options?.refreshEvery ?? defaultRefreshEvery
    const staleAfterMillis = Duration.toMillis(Duration.fromInputUnsafe(options?.staleAfter ?? defaultStaleAfter))
    yield* Effect.tryPromise({
      try: () => fs.mkdir(dir, { recursive: true }),
      catch: failed(dir, "create the data dir")
    })
    const lockFile = path.join(dir, lockFileName)
    const mine: LockInfo = {
      pid: process.pid,
      host: hostname(),
      token: randomUUID(),
      acquiredAt: new Date().toISOString()
    }
    const content = JSON.stringify(mine)

    const take = Effect.gen(function* () {
      // A few rounds: each round either creates the lock, finds a live holder, or removes one stale lock.
      for (let round = 0; round < 5; round++) {
        if (yield* createExclusive(lockFile, content)) return true
        const found = yield* readIfExists(lockFile)
        if (found === undefined) continue
        const info = parseLock(found.text)
        const holder = judge(info, found.ageMillis, staleAfterMillis)
        if (holder._tag === "Held") return yield* Effect.fail(lockedError(dir, lockFile, info))
        yield* removeStale(lockFile, found.text)
      }
      return false
    })

    const lock = yield* Effect.acquireRelease(
      Effect.sync(() => liveTokens.add(mine.token)).pipe(
        Effect.andThen(take),
        Effect.mapError((error) =>
          error instanceof EmbeddedDatabaseLocked ? error : failed(dir, `take the lock ${lockFile}`)(error)
        ),
        Effect.flatMap((taken) => (taken ? Effect.succeed(mine) : Effect.fail(lockedError(dir, lockFile, undefined)))),
        Effect.tapError(() => Effect.sync(() => liveTokens.delete(mine.token)))
      ),
      () => release(lockFile, mine)
    )
    // Forked after the lock, so interrupted before it is released.
    yield* Effect.sleep(refreshEvery).pipe(Effect.andThen(touch(lockFile)), Effect.forever, Effect.forkScoped)
    return lock
  })

const touch = (lockFile: string) =>
  Effect.tryPromise(() => {
    const now = new Date()
    return fs.utimes(lockFile, now, now)
  }).pipe(
    Effect.catch((cause) =>
      Effect.logWarning(`Could not refresh the embedded database lock ${lockFile}: ${describeUnknown(cause)}`)
    )
  )

// Move the stale file aside (atomic), then make sure what we moved is what we judged stale: if a live process
// replaced it in between, put it back.
const removeStale = (lockFile: string, staleText: string) =>
  Effect.tryPromise({
    try: async () => {
      const aside = `${lockFile}.${randomUUID()}.stale`
      try {
        await fs.rename(lockFile, aside)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return
        throw error
      }
      const moved = await fs.readFile(aside, "utf8")
      if (moved !== staleText) await fs.link(aside, lockFile).catch(() => undefined)
      await fs.rm(aside, { force: true })
    },
    catch: (cause) => cause
  })

const release = (lockFile: string, mine: LockInfo) =>
  Effect.gen(function* () {
    const found = yield* readIfExists(lockFile)
    if (found !== undefined && parseLock(found.text)?.token === mine.token) {
      yield* Effect.tryPromise({ try: () => fs.rm(lockFile, { force: true }), catch: (cause) => cause })
    }
  }).pipe(
    Effect.catch((cause) =>
      Effect.logWarning(`Could not remove the embedded database lock ${lockFile}: ${describeUnknown(cause)}`)
    ),
    Effect.ensuring(Effect.sync(() => liveTokens.delete(mine.token)))
  )
