/**
 * The bundled server as a real process over HTTP on the real PostgreSQL (127.0.0.1:5432), each run in fresh,
 * uniquely named databases that are dropped `WITH (FORCE)` at the end: the tickets suite, readiness, and two
 * servers started at the same moment on one fresh database (migrations and demo data under concurrency).
 */
import { execFile } from "node:child_process"
import { createDatabase, dropDatabases, type FreshDatabase, query } from "@bulwark/database/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { closeAllClients } from "./support/clients.ts"
import { authHeaders } from "./support/credentials.ts"
import { nodeBin, root as repoRoot } from "./support/paths.ts"
import { type ServerProcess, startServer, stopAllServers, stopServer } from "./support/server.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"
import { describeTicketsSuite } from "./support/ticketsSuite.ts"

let database: FreshDatabase
let server: ServerProcess

beforeAll(async () => {
  database = await createDatabase("http")
  server = await startServer({ env: { DATABASE_URL: database.url }, cwd: await makeTempDir("postgres") })
})

afterAll(async () => {
  await closeAllClients()
  await stopAllServers()
  await dropDatabases()
  await removeTempDirs()
})

describe("the audit log of the server on PostgreSQL", () => {
  it("holds one record per request, including a refusal at the edge, and its chain verifies", async () => {
    const mcp = new URL("/mcp", server.baseUrl)
    const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" }
    const call = { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "fetch_user", arguments: { id: 1 } } }
    const refused = await fetch(mcp, { method: "POST", headers, body: JSON.stringify(call) })
    expect(refused.status).toBe(401)
    const served = await fetch(mcp, {
      method: "POST",
      headers: { ...headers, ...authHeaders },
      body: JSON.stringify(call)
    })
    expect(served.status).toBe(200)
    // Records are written in batches off the request path: wait for them to land.
    let rows: ReadonlyArray<Record<string, unknown>> = []
    for (let attempt = 0; attempt < 50; attempt++) {
      rows = await query(
        database.url,
        "SELECT outcome, rejected_by, target, tenant_id FROM audit_log WHERE target = 'fetch_user' ORDER BY id"
      )
      if (rows.length >= 2) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ outcome: "rejected", rejected_by: "authentication" }),
        expect.objectContaining({ outcome: "success", tenant_id: "default" })
      ])
    )
    const verify = await runNode(["packages/audit/src/cli.ts", "verify", "--database-url", database.url])
    expect(verify.code, verify.output).toBe(0)
    expect(JSON.parse(verify.output)).toMatchObject({ ok: true })
  })
})

describe("the server on PostgreSQL", () => {
  it("uses the database named by DATABASE_URL, not the embedded one", async () => {
    expect(server.stderr()).toContain(`Using PostgreSQL at 127.0.0.1:5432/${database.name}`)
    expect(server.stderr()).not.toContain("PGlite")
    const applied = await query(
      database.url,
      "SELECT owner, id FROM bulwark_migrations WHERE owner = 'tickets' ORDER BY owner, id"
    )
    expect(applied).toEqual([{ owner: "tickets", id: "0001" }])
    const users = await query(database.url, "SELECT email FROM users ORDER BY email")
    expect(users).toEqual([{ email: "ada@example.com" }, { email: "grace@example.com" }])
  })

  it("/readyz is 200 with ready: true", async () => {
    const response = await fetch(new URL("/readyz", server.baseUrl))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      ready: true,
      databaseReachable: true,
      pendingMigrations: [],
      problems: [],
      backends: [
        { name: "tickets-db", circuit: "closed", inFlight: 0, up: true },
        { name: "tickets-analytics", circuit: "closed", inFlight: 0 }
      ]
    })
  })
})

describeTicketsSuite("PostgreSQL", () => server)

describe("the tickets written through MCP", () => {
  it("are rows in the PostgreSQL database", async () => {
    const rows = await query(database.url, "SELECT count(*)::int AS n FROM tickets WHERE title LIKE 'e2e-%'")
    expect(rows[0]?.n).toBeGreaterThan(10)
  })
})

describe("two servers started at the same moment on one fresh database", () => {
  it("both become ready, the migration is applied once and the demo users are seeded once", async () => {
    const shared = await createDatabase("concurrent")
    const cwd = await makeTempDir("concurrent")
    const servers = await Promise.all([
      startServer({ env: { DATABASE_URL: shared.url }, cwd }),
      startServer({ env: { DATABASE_URL: shared.url }, cwd })
    ])
    for (const started of servers) {
      const response = await fetch(new URL("/readyz", started.baseUrl))
      expect(response.status, started.stderr()).toBe(200)
      expect(await response.json()).toMatchObject({ ready: true, pendingMigrations: [] })
    }
    expect(servers[0]!.port).not.toBe(servers[1]!.port)
    expect(await query(shared.url, "SELECT owner, id FROM bulwark_migrations WHERE owner = 'tickets'")).toEqual([
      { owner: "tickets", id: "0001" }
    ])
    // Exactly one of the two applied it.
    const appliedLogs = servers.filter((started) => started.stderr().includes("Applied migration tickets/0001"))
    expect(appliedLogs).toHaveLength(1)
    expect(await query(shared.url, "SELECT count(*)::int AS n FROM users")).toEqual([{ n: 2 }])

    const exits = await Promise.all(servers.map((started) => stopServer(started)))
    expect(exits).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null }
    ])
  })
})

const runNode = (args: ReadonlyArray<string>): Promise<{ code: number; output: string }> =>
  new Promise((resolve) => {
    execFile(nodeBin, [...args], { cwd: repoRoot }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code ?? 1), output: `${stdout}${stderr}` })
    })
  })
