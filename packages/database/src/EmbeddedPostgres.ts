/**
 * An embedded PostgreSQL: PGlite (in memory or persisted in a data dir) served over the PostgreSQL wire protocol on
 * `127.0.0.1` by `@electric-sql/pglite-socket`, so the ordinary `PgClient` can talk to it.
 *
 * PGlite is one backend session. The socket server lets every connection into that same session and only keeps
 * transactions apart, so two client connections interleave their extended-protocol messages (we saw "Unexpected
 * ReadyForQuery" and lost rows with four). Hence exactly one connection: the server accepts one, and the client pool
 * holds one. That also keeps other local processes off the (password-less) port while we are connected.
 *
 * @since 0.1.0
 */

import * as path from "node:path"
import { Effect, type Scope } from "effect"
import * as DataDirLock from "./DataDirLock.ts"
import { EmbeddedDatabaseFailed, type EmbeddedDatabaseLocked } from "./Errors.ts"
import { describeUnknown } from "./internal/describe.ts"

/** Where the embedded database keeps its data. */
export type Storage = { readonly _tag: "InMemory" } | { readonly _tag: "DataDir"; readonly dataDir: string }

/** The address a client connects to; user `postgres`, database `postgres`, no password. */
export interface Endpoint {
  readonly host: string
  readonly port: number
  /** The absolute data dir, or `"memory"`. */
  readonly dataDir: string
}

/** The socket server admits this many connections; the client pool must not use more. */
export const maxConnections = 1

/**
 * PostgreSQL settings of the embedded database, beside PGlite's own start parameters. PGlite keeps PostgreSQL's
 * defaults: 128 MB of shared buffers, and WAL kept until 1 GB of it (or five minutes) calls for a checkpoint. All of
 * it is memory of the server's process: the buffers in PGlite's WebAssembly memory, and, in memory, the WAL files
 * beside the tables in its in-memory file system (whose pages the buffers hold a second copy of). With 16 MB of
 * buffers and a checkpoint every 64 MB of WAL, the bundled server in memory held 646-666 MiB of RSS after 20 s of
 * calls at 50 connections, where it held 852-865 MiB, at the same CPU per call (`bench/README.md`). A database in a
 * data dir keeps its pages in the operating system's file cache, as PostgreSQL does.
 */
export const settings: Readonly<Record<string, string>> = {
  shared_buffers: "16MB",
  max_wal_size: "64MB",
  min_wal_size: "32MB"
}

const settingParams = Object.entries(settings).flatMap(([name, value]) => ["-c", `${name}=${value}`])

/**
 * PGlite and its socket server, loaded when an embedded database is started: a server on a real PostgreSQL does not
 * carry them.
 */
const load = (dataDir: string) =>
  Effect.tryPromise({
    try: async () => {
      const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([
        import("@electric-sql/pglite"),
        import("@electric-sql/pglite-socket")
      ])
      return { PGlite, PGLiteSocketServer }
    },
    catch: (cause) =>
      new EmbeddedDatabaseFailed({ dataDir, message: `PGlite could not be loaded: ${describeUnknown(cause)}`, cause })
  })

/**
 * Starts PGlite and its socket server on a free port of 127.0.0.1, for the life of the scope. On scope close the
 * server stops, then PGlite closes (flushing the data dir), then the data dir lock is released.
 */
export const start = (
  storage: Storage
): Effect.Effect<Endpoint, EmbeddedDatabaseFailed | EmbeddedDatabaseLocked, Scope.Scope> =>
  Effect.gen(function* () {
    const dataDir = storage._tag === "InMemory" ? "memory" : path.resolve(storage.dataDir)
    if (storage._tag === "DataDir") yield* DataDirLock.acquire(dataDir)
    const { PGlite, PGLiteSocketServer } = yield* load(dataDir)

    const db = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () =>
          PGlite.create({
            ...(storage._tag === "InMemory" ? {} : { dataDir }),
            startParams: [...PGlite.defaultStartParams, ...settingParams]
          }),
        catch: (cause) =>
          new EmbeddedDatabaseFailed({
            dataDir,
            message:
              `PGlite could not open ${dataDir === "memory" ? "an in-memory database" : `the data dir ${dataDir}`}: ` +
              `${describeUnknown(cause)}. If the directory holds something other than a PGlite database (or one ` +
              `from another PGlite version), point embedded.dataDir at an empty directory.`,
            cause
          })
      }),
      (db) =>
        Effect.tryPromise(() => db.close()).pipe(
          Effect.catch((cause) =>
            Effect.logError(`Closing the embedded database (${dataDir}) failed: ${describeUnknown(cause)}`)
          )
        )
    )

    const server = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections })
          try {
            await server.start()
          } catch (error) {
            await server.stop()
            throw error
          }
          return server
        },
        catch: (cause) =>
          new EmbeddedDatabaseFailed({
            dataDir,
            message: `Could not listen on 127.0.0.1 for the embedded database: ${describeUnknown(cause)}.`,
            cause
          })
      }),
      (server) =>
        Effect.tryPromise(() => server.stop()).pipe(
          Effect.catch((cause) =>
            Effect.logError(`Stopping the embedded database socket server failed: ${describeUnknown(cause)}`)
          )
        )
    )

    // `getServerConn()` is `host:port` once listening (the port the OS chose for port 0).
    const port = Number(server.getServerConn().split(":").at(-1))
    if (!Number.isInteger(port) || port <= 0) {
      return yield* new EmbeddedDatabaseFailed({
        dataDir,
        message: `The embedded database socket server reported no port (${server.getServerConn()}).`
      })
    }
    return { host: "127.0.0.1", port, dataDir }
  })
