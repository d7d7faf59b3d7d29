/**
 * Readiness and startup against databases that are not there: a closed port, and a port that accepts but never
 * answers.
 */

import { createServer, type Socket } from "node:net"
import { PgClient } from "@effect/sql-pg"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { Database, DatabaseConfig, MigrationRegistry, Readiness } from "../src/index.ts"
import { closedPort } from "./support/TestDatabase.ts"

// A TCP server that accepts connections and never says a word, for the life of the scope.
const silentServer = Effect.acquireRelease(
  Effect.promise(
    () =>
      new Promise<{ port: number; close: () => Promise<void> }>((resolve) => {
        const sockets = new Set<Socket>()
        const server = createServer((socket) => {
          sockets.add(socket)
          socket.on("close", () => sockets.delete(socket))
        })
        server.listen(0, "127.0.0.1", () => {
          const address = server.address()
          resolve({
            port: typeof address === "object" && address !== null ? address.port : 0,
            close: () =>
              new Promise<void>((done) => {
                for (const socket of sockets) socket.destroy()
                server.close(() => done())
              })
          })
        })
      })
  ),
  (server) => Effect.promise(() => server.close())
)

const clientAt = (port: number) =>
  Layer.merge(
    PgClient.layer({ url: Redacted.make(`postgres://postgres:s3cret-pw@127.0.0.1:${port}/postgres`) }),
    MigrationRegistry.layer
  )

describe("an unreachable database", () => {
  it.live("readiness is false (503) when nothing listens on the port", () =>
    Effect.gen(function* () {
      const port = yield* closedPort
      const report = yield* Readiness.check().pipe(Effect.provide(clientAt(port)))
      expect(report.ready).toBe(false)
      expect(report.databaseReachable).toBe(false)
      expect(report.problems.join(" ")).toContain("ECONNREFUSED")
      expect(report.problems.join(" ")).not.toContain("s3cret-pw")
      expect(Readiness.httpStatus(report)).toBe(503)
    })
  )

  it.live("readiness gives up after its timeout when the database does not answer", () =>
    Effect.gen(function* () {
      const server = yield* silentServer
      const started = Date.now()
      const report = yield* Readiness.check({ timeout: "300 millis" }).pipe(Effect.provide(clientAt(server.port)))
      const elapsed = Date.now() - started
      expect(report.ready).toBe(false)
      expect(report.databaseReachable).toBe(false)
      expect(report.problems[0]).toContain("no answer within")
      expect(elapsed).toBeGreaterThanOrEqual(250)
      expect(elapsed).toBeLessThan(3000)
    })
  )

  it.live("Database.layer fails with DatabaseUnavailable, naming the target but never the password", () =>
    Effect.gen(function* () {
      const port = yield* closedPort
      const config = DatabaseConfig.make({
        url: Redacted.make(`postgres://bulwark:s3cret-pw@127.0.0.1:${port}/tickets`)
      })
      const error = yield* Effect.flip(Layer.build(Database.layer(config)))
      expect(error._tag).toBe("DatabaseUnavailable")
      expect(error.message).toContain(`127.0.0.1:${port}/tickets`)
      expect(error.message).toContain("ECONNREFUSED")
      expect(error.message).not.toContain("s3cret-pw")
      expect(JSON.stringify(error)).not.toContain("s3cret-pw")
      expect(String(config.url)).not.toContain("s3cret-pw")
    })
  )
})
