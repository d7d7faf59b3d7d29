/**
 * The database dies under a request: the bundled server runs on a PostgreSQL of the test's own, a call waits inside
 * it (`pg_sleep`), and the server is stopped (`pg_ctl stop -m fast`: open sessions are terminated, as when the
 * database host's service goes down). The agent gets "unavailable, retry", not an internal error: the tool declares
 * its backend, so a tool error naming it, what happened and when to retry (and `_meta` says the same); once the database is back the server serves again, and the call's audit record, held while the
 * database was down, is written with that outcome.
 */
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { DisposablePostgres, query } from "@bulwark/database/testing"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { databaseSleepPlugin } from "./fixtures/database-sleep-plugin.ts"
import { bodyFor, headersFor, parseJsonRpc, post } from "./support/rawHttp.ts"
import { type ServerProcess, startServer, stopAllServers } from "./support/server.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"

let scope: Scope.Closeable
let database: DisposablePostgres["Service"]
let server: ServerProcess

beforeAll(async () => {
  scope = await Effect.runPromise(Scope.make())
  const context = await Effect.runPromise(Layer.buildWithScope(DisposablePostgres.layer, scope))
  database = Context.get(context, DisposablePostgres)
  const workDir = await makeTempDir("outage")
  const configFile = join(workDir, "bulwark.yaml")
  await writeFile(configFile, [...databaseSleepPlugin, "audit: { flushInterval: 20 millis }", ""].join("\n"))
  server = await startServer({ args: ["--config", configFile], env: { DATABASE_URL: database.url }, cwd: workDir })
}, 60_000)

afterAll(async () => {
  await stopAllServers()
  await Effect.runPromise(Scope.close(scope, Exit.void))
  await removeTempDirs()
})

/** How many sessions wait in `pg_sleep` (the probe's own excepted). */
const sleeping = async () =>
  (
    await query(
      database.url,
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE '%pg_sleep(%' AND pid <> pg_backend_pid()"
    )
  )[0]?.n

describe("the database dies under a request", () => {
  it("answers unavailable, retry, recovers when the database is back, and audits the call", async () => {
    const params = { name: "database_sleep", arguments: { seconds: 30 } }
    const answer = post(
      server.mcpUrl,
      bodyFor("2026-07-28", "tools/call", params),
      headersFor("2026-07-28", "tools/call", params)
    )
    const deadline = Date.now() + 10_000
    while ((await sleeping()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    await Effect.runPromise(database.stop)

    const response = await answer
    const message = parseJsonRpc(response.headers.get("content-type") ?? "", await response.text())
    // The tool declares its backend: a tool error naming it, what happened and when to retry.
    expect(message.result).toMatchObject({
      isError: true,
      content: [{ type: "text", text: 'Backend "sleep-db" is failing; retry in 1 s.' }],
      _meta: { "io.bulwark/degraded": { backend: "sleep-db", reason: "failing", retryAfterSeconds: 1 } }
    })

    await Effect.runPromise(database.start)
    const quick = { name: "database_sleep", arguments: { seconds: 0 } }
    let served: string | undefined
    const until = Date.now() + 15_000
    while (served === undefined && Date.now() < until) {
      const again = await post(
        server.mcpUrl,
        bodyFor("2026-07-28", "tools/call", quick),
        headersFor("2026-07-28", "tools/call", quick)
      )
      const reply = parseJsonRpc(again.headers.get("content-type") ?? "", await again.text())
      if (reply.result !== undefined) served = JSON.stringify(reply.result)
      else await new Promise((r) => setTimeout(r, 200))
    }
    expect(served).toContain("slept 0 s")

    let rows: ReadonlyArray<Record<string, unknown>> = []
    const auditDeadline = Date.now() + 10_000
    while (rows.length === 0 && Date.now() < auditDeadline) {
      rows = await query(
        database.url,
        "SELECT outcome, error_code FROM audit_log WHERE target = 'database_sleep' AND outcome = 'tool_error'"
      )
      if (rows.length === 0) await new Promise((r) => setTimeout(r, 100))
    }
    expect(rows).toEqual([{ outcome: "tool_error", error_code: null }])
  }, 60_000)
})
