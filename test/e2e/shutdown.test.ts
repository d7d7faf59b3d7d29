/**
 * SIGTERM under load loses nothing. Clients keep calling `create_ticket` (each with a unique title) on kept-alive
 * connections while the server is told to stop. The server stops listening, answers what is still asked on open
 * connections and closes them (`Connection: close`), lets the calls in flight finish, writes the audit log and exits
 * 0. Then, on the database: every ticket a client got a 2xx for exists and has its audit record, and every ticket
 * that exists was answered (no request the server accepted was cut off by a reset).
 */
import { Agent, request } from "node:http"
import { createDatabase, dropDatabases, type FreshDatabase, query } from "@bulwark/database/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { connectHttp } from "./support/clients.ts"
import { testApiKey } from "./support/credentials.ts"
import { bodyFor, headersFor } from "./support/rawHttp.ts"
import { type ServerProcess, startServer, stopAllServers, stopServer } from "./support/server.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"

let database: FreshDatabase
let server: ServerProcess

beforeAll(async () => {
  database = await createDatabase("shutdown")
  server = await startServer({ env: { DATABASE_URL: database.url }, cwd: await makeTempDir("shutdown") })
})

afterAll(async () => {
  await stopAllServers()
  await dropDatabases()
  await removeTempDirs()
})

type Outcome =
  | { readonly kind: "answered"; readonly status: number; readonly title: string }
  | { readonly kind: "failed"; readonly code: string; readonly title: string }

/** One `create_ticket` on a kept-alive connection of `agent`. */
const create = (agent: Agent, title: string): Promise<Outcome> =>
  new Promise((resolve) => {
    const params = { name: "create_ticket", arguments: { title, reporterId: 1 } }
    const req = request(
      server.mcpUrl,
      { method: "POST", agent, headers: headersFor("2026-07-28", "tools/call", params) },
      (res) => {
        res.resume()
        res.on("end", () => resolve({ kind: "answered", status: res.statusCode ?? 0, title }))
        res.on("error", (error: NodeJS.ErrnoException) => resolve({ kind: "failed", code: error.code ?? "?", title }))
      }
    )
    req.on("error", (error: NodeJS.ErrnoException) => resolve({ kind: "failed", code: error.code ?? "?", title }))
    req.end(bodyFor("2026-07-28", "tools/call", params))
  })

describe("SIGTERM under load", () => {
  it("answers or refuses every request, loses no audit record, and exits 0", async () => {
    const outcomes: Array<Outcome> = []
    let stopping = false
    let n = 0
    // 16 clients, each on its own kept-alive connection, calling until the server is gone.
    const clients = Array.from({ length: 16 }, async (_, c) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 })
      for (;;) {
        const outcome = await create(agent, `shutdown ${c}-${n++}`)
        outcomes.push(outcome)
        if (outcome.kind === "failed" && stopping) break
      }
      agent.destroy()
    })
    await new Promise((resolve) => setTimeout(resolve, 1500))
    stopping = true
    const exit = await stopServer(server, "SIGTERM", 20_000)
    await Promise.all(clients)
    expect(exit).toEqual({ code: 0, signal: null })

    const answered = outcomes.filter((o) => o.kind === "answered")
    const ok = new Set(answered.filter((o) => o.status === 200).map((o) => o.title))
    expect(ok.size).toBeGreaterThan(50)
    // Nothing but answers and refusals: no 5xx but the 503 of a server that is stopping.
    expect(answered.filter((o) => o.status !== 200 && o.status !== 503)).toEqual([])
    // Failures are new connections refused once the server stopped listening (or a connection the server closed
    // between two requests); never a reset of a request the server had taken.
    const tickets = (await query(database.url, "SELECT title FROM tickets WHERE title LIKE 'shutdown %'")).map((row) =>
      String(row.title)
    )
    const audited = (
      await query(
        database.url,
        "SELECT arguments->>'title' AS title FROM audit_log WHERE target = 'create_ticket' AND outcome = 'success'"
      )
    ).map((row) => String(row.title))
    expect(new Set(tickets)).toEqual(ok)
    expect(new Set(audited)).toEqual(ok)
    expect(audited).toHaveLength(ok.size)
  }, 60_000)
})

describe("SIGTERM with idle event streams", () => {
  it("ends a 2025 session's GET stream and a 2026 subscriptions/listen at once, not after the grace period", async () => {
    const idle = await startServer({
      env: { DATABASE_URL: database.url, BULWARK_API_KEY: testApiKey },
      cwd: await makeTempDir("shutdown-idle")
    })
    // A 2025 client keeps its session's GET stream open; a 2026 client listens for list changes.
    const legacy = await connectHttp(idle.mcpUrl, "legacy")
    await legacy.listTools()
    const modern = await connectHttp(idle.mcpUrl, "auto")
    const subscription = await modern.listen({ toolsListChanged: true })
    expect(subscription).toBeDefined()

    const started = performance.now()
    const exit = await stopServer(idle, "SIGTERM", 15_000)
    const tookMs = performance.now() - started
    expect(exit).toEqual({ code: 0, signal: null })
    // The grace period is 10 s; without ending the streams the exit waited for all of it.
    expect(tookMs).toBeLessThan(5_000)
    expect(idle.stderr()).toContain("Bulwark stopped")
  }, 30_000)
})
