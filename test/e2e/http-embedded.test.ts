/**
 * The bundled server as a real process over HTTP, on its embedded PostgreSQL (PGlite): in memory (one server shared
 * by the tickets suite, bad input, health and metrics, and finally SIGTERM), and persisted in a `BULWARK_DATA_DIR`
 * across a restart.
 */
import { existsSync } from "node:fs"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Ticket, User } from "@bulwark/plugin-tickets"
import { Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { callOk, closeAllClients, connectHttp } from "./support/clients.ts"
import { bodyFor, headersFor, legacyHeaders, parseJsonRpc, post, rawRequest, rpc, wires } from "./support/rawHttp.ts"
import { runServerToExit, type ServerProcess, startServer, stopAllServers, stopServer } from "./support/server.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"
import { describeTicketsSuite } from "./support/ticketsSuite.ts"

/** Small, so that a request over it is easy to build; every normal request stays far below. */
const maxBodyBytes = 4096

let server: ServerProcess

beforeAll(async () => {
  const workDir = await makeTempDir("embedded")
  const config = join(workDir, "bulwark.yaml")
  await writeFile(config, `# e2e\nhttp:\n  maxBodyBytes: ${maxBodyBytes}\n`)
  server = await startServer({ args: ["--in-memory", "--config", config], cwd: workDir })
})

afterAll(async () => {
  await closeAllClients()
  await stopAllServers()
  await removeTempDirs()
})

describeTicketsSuite("embedded in memory", () => server)

/** The server is alive and serves a normal tool call. */
const expectStillServing = async () => {
  const health = await fetch(new URL("/healthz", server.baseUrl))
  expect(health.status).toBe(200)
  expect(await health.json()).toEqual({ status: "ok" })
  const answer = await rpc(
    server.mcpUrl,
    "tools/call",
    { name: "fetch_user", arguments: { email: "ada@example.com" } },
    "2026-07-28"
  )
  expect(answer.error).toBeUndefined()
  expect(answer.result?.isError).toBeUndefined()
  expect(answer.result?.structuredContent).toMatchObject({ email: "ada@example.com", name: "Ada Lovelace" })
}

describe("start-up", () => {
  it("logs the address it really listens on, once the database is up and it listens", () => {
    const messages = server
      .stderr()
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => (JSON.parse(line) as { message: string }).message)
    const announced = messages.filter((message) => message.startsWith("Bulwark listening on "))
    expect(announced).toEqual([`Bulwark listening on ${server.baseUrl}/mcp`])
    const database = messages.findIndex((message) => message.startsWith("Using embedded PostgreSQL"))
    expect(database).toBeGreaterThanOrEqual(0)
    expect(messages.indexOf(announced[0]!)).toBeGreaterThan(database)
  })
})

describe("bad input over raw HTTP", () => {
  it("malformed JSON is a 400 with JSON-RPC -32700", async () => {
    const response = await post(server.mcpUrl, '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{')
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32700, message: expect.stringContaining("not valid JSON") }
    })
    await expectStillServing()
  })

  it.each(wires)("arguments of the wrong type are a tool error naming each field (%s wire)", async (wire) => {
    const answer = await rpc(
      server.mcpUrl,
      "tools/call",
      { name: "create_ticket", arguments: { title: 42, reporterId: "one", priority: "whenever" } },
      wire
    )
    expect(answer.error).toBeUndefined()
    expect(answer.result?.isError).toBe(true)
    const content = answer.result?.content as ReadonlyArray<{ type: string; text: string }>
    const text = content.map((block) => block.text).join("\n")
    expect(text).toContain('Invalid arguments for tool "create_ticket"')
    expect(text).toMatch(/title: Expected string/)
    expect(text).toMatch(/reporterId: Expected number/)
    expect(text).toContain("priority")
    await expectStillServing()
  })

  it.each(wires)("an unknown tool is refused like a forbidden one: JSON-RPC -32003 (%s wire)", async (wire) => {
    const answer = await rpc(server.mcpUrl, "tools/call", { name: "drop_all_tables", arguments: {} }, wire)
    expect(answer.result).toBeUndefined()
    expect(answer.error).toMatchObject({ code: -32003, message: 'Tool "drop_all_tables" is not available' })
    await expectStillServing()
  })

  it("a 2026-07-28 request whose Mcp-Name header disagrees with its body is a 400", async () => {
    const params = { name: "fetch_user", arguments: { id: 1 } }
    const response = await post(server.mcpUrl, bodyFor("2026-07-28", "tools/call", params), {
      ...headersFor("2026-07-28", "tools/call", params),
      "mcp-name": "create_ticket"
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({
      error: { code: -32020, message: expect.stringContaining("disagree") }
    })
    await expectStillServing()
  })

  it(`a body over http.maxBodyBytes (${maxBodyBytes}) is a 413`, async () => {
    const body = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "create_ticket", arguments: { title: "x".repeat(maxBodyBytes), reporterId: 1 } }
    })
    const response = await post(server.mcpUrl, body)
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({
      error: { message: expect.stringContaining(`${maxBodyBytes} bytes`) }
    })
    // Nothing was created.
    const list = await rpc(server.mcpUrl, "tools/call", { name: "list_tickets", arguments: { search: "xxxxxxxxxx" } })
    expect(list.result?.structuredContent).toEqual({ tickets: [] })
    await expectStillServing()
  })

  it("a foreign Host header is a 403 (DNS-rebinding protection)", async () => {
    const response = await rawRequest(server.mcpUrl, {
      method: "POST",
      headers: { ...legacyHeaders, host: "evil.example.com" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} })
    })
    expect(response.status).toBe(403)
    expect(JSON.parse(response.body)).toMatchObject({ error: { message: expect.stringContaining("evil.example.com") } })
    // The same request with the server's own host is served: the 403 was about the header.
    const allowed = await rawRequest(server.mcpUrl, {
      method: "POST",
      headers: { ...legacyHeaders, host: `localhost:${server.port}` },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} })
    })
    expect(allowed.status).toBe(200)
    expect(parseJsonRpc(allowed.contentType, allowed.body).result?.tools).toHaveLength(10)
    await expectStillServing()
  })

  it("a foreign browser Origin is a 403", async () => {
    const response = await post(
      server.mcpUrl,
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
      { ...legacyHeaders, origin: "https://evil.example.com" }
    )
    expect(response.status).toBe(403)
    await expectStillServing()
  })
})

/** The value of one Prometheus sample line, or undefined when the series is absent. */
const sample = (metrics: string, series: string): number | undefined => {
  const line = metrics.split("\n").find((candidate) => candidate.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

const scrape = async () => {
  const response = await fetch(new URL("/metrics", server.baseUrl))
  expect(response.status).toBe(200)
  expect(response.headers.get("content-type")).toContain("text/plain")
  return response.text()
}

describe("health, readiness and metrics", () => {
  it("/healthz is 200 and /readyz is 200 with ready: true", async () => {
    const health = await fetch(new URL("/healthz", server.baseUrl))
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: "ok" })
    const ready = await fetch(new URL("/readyz", server.baseUrl))
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({
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

  it("/metrics counts tool calls by tenant, tool and status", async () => {
    const ok = 'mcp_requests_total{tenant_id="default",method="tools/call",tool_name="create_ticket",status="success"}'
    const failed =
      'mcp_requests_total{tenant_id="default",method="tools/call",tool_name="get_ticket",status="tool_error"}'
    const before = await scrape()
    const client = await connectHttp(server.mcpUrl, "auto")
    const ada = Schema.decodeUnknownSync(User)(await callOk(client, "fetch_user", { email: "ada@example.com" }))
    const ticket = Schema.decodeUnknownSync(Ticket)(
      await callOk(client, "create_ticket", { title: "metrics probe", reporterId: ada.id })
    )
    const missing = await client.callTool({ name: "get_ticket", arguments: { id: ticket.id + 1_000_000 } })
    expect(missing.isError).toBe(true)
    const after = await scrape()

    expect(after).toContain(`${ok} `)
    expect(sample(after, ok)).toBe((sample(before, ok) ?? 0) + 1)
    expect(sample(after, failed)).toBe((sample(before, failed) ?? 0) + 1)
  })

  it("/metrics has the request duration histogram per method and tool, with buckets from 5 ms to 60 s", async () => {
    const metrics = await scrape()
    expect(metrics).toContain("# TYPE mcp_request_duration_seconds histogram")
    const prefix = 'mcp_request_duration_seconds_bucket{method="tools/call",tool_name="create_ticket",le="'
    const buckets = metrics
      .split("\n")
      .filter((line) => line.startsWith(prefix))
      .map((line) => {
        const [le, value] = line.slice(prefix.length).split('"} ')
        return { le: le!, count: Number(value) }
      })
    expect(buckets.map((bucket) => bucket.le)).toEqual([
      "0.005",
      "0.01",
      "0.025",
      "0.05",
      "0.1",
      "0.25",
      "0.5",
      "1",
      "2.5",
      "5",
      "10",
      "30",
      "60",
      "+Inf"
    ])
    const counts = buckets.map((bucket) => bucket.count)
    expect(counts).toEqual([...counts].sort((a, b) => a - b))
    const total = sample(metrics, 'mcp_request_duration_seconds_count{method="tools/call",tool_name="create_ticket"}')
    expect(total).toBeGreaterThan(0)
    expect(counts.at(-1)).toBe(total)
  })
})

describe("graceful shutdown", () => {
  it("SIGTERM while idle exits with code 0 within a few seconds", async () => {
    await closeAllClients()
    const started = performance.now()
    const exit = await stopServer(server, "SIGTERM")
    const elapsed = performance.now() - started
    expect(exit, server.stderr().slice(-2000)).toEqual({ code: 0, signal: null })
    expect(elapsed).toBeLessThan(5000)
    expect(server.stdout()).toBe("")
  })
})

describe("embedded database persisted in BULWARK_DATA_DIR", () => {
  it("keeps a ticket across a SIGTERM and a restart on the same directory, and refuses a second process", async () => {
    const workDir = await makeTempDir("persist")
    const dataDir = join(workDir, "data")
    const lock = join(dataDir, "pglite", "bulwark.lock")
    const options = { env: { BULWARK_DATA_DIR: dataDir }, cwd: workDir }

    const first = await startServer(options)
    expect(existsSync(lock)).toBe(true)
    const client = await connectHttp(first.mcpUrl, "auto")
    const ada = Schema.decodeUnknownSync(User)(await callOk(client, "fetch_user", { email: "ada@example.com" }))
    const ticket = Schema.decodeUnknownSync(Ticket)(
      await callOk(client, "create_ticket", { title: "survives a restart", reporterId: ada.id, priority: "high" })
    )
    await callOk(client, "add_comment", { ticketId: ticket.id, authorId: ada.id, body: "written before the stop" })
    // A second process on the same directory is refused, with the reason on stderr, and the first keeps serving.
    const refused = await runServerToExit([], { BULWARK_DATA_DIR: dataDir, PORT: "0" }, workDir)
    expect(refused.code).toBe(1)
    expect(refused.stdout).toBe("")
    expect(refused.stderr).toContain("EmbeddedDatabaseLocked")
    expect(refused.stderr).toContain(`is in use by process ${first.child.pid}`)
    expect(existsSync(lock)).toBe(true)
    const before = await callOk(client, "get_ticket", { id: ticket.id })
    expect(before).toMatchObject({ title: "survives a restart", comments: [{ body: "written before the stop" }] })
    await closeAllClients()
    expect(await stopServer(first), first.stderr().slice(-2000)).toEqual({ code: 0, signal: null })
    expect(existsSync(lock)).toBe(false)

    const second = await startServer(options)
    const again = await connectHttp(second.mcpUrl, "legacy")
    expect(await callOk(again, "get_ticket", { id: ticket.id })).toEqual(before)
    // The demo users were not seeded twice.
    expect(await callOk(again, "fetch_user", { email: "ada@example.com" })).toEqual(ada)
    await closeAllClients()
    expect(await stopServer(second), second.stderr().slice(-2000)).toEqual({ code: 0, signal: null })
  })
})
