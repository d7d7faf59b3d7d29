/**
 * MCP over WebSocket on the bundled server (`http.websocket: true`), with the official SDK v1's
 * `WebSocketClientTransport` as the client, as people connect today: the same tools, resources, prompts and answers as
 * over Streamable HTTP, a sampling round trip, cancellation; refusals at the upgrade (no credential, a wrong one, no
 * `mcp` subprotocol, a foreign Origin, a full house); a frame over the size limit (1009), requests past the
 * connection's in-flight limit, a client that does not read (1008), and SIGTERM (in-flight requests answered, then
 * 1001 going away).
 */
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { createDatabase, dropDatabases, type FreshDatabase } from "@bulwark/database/testing"
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js"
import { WebSocketClientTransport } from "@modelcontextprotocol/sdk/client/websocket.js"
import {
  CreateMessageRequestSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema
} from "@modelcontextprotocol/sdk/types.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { WebSocket } from "ws"
import { connectOverWebSocket } from "../readme/websocket-client.ts"
import { interruptedLine, websocketProbePlugin } from "./fixtures/websocket-plugin.ts"
import { closeAllClients, connectHttp } from "./support/clients.ts"
import { testApiKey } from "./support/credentials.ts"
import { type ServerProcess, startServer, stopAllServers, stopServer } from "./support/server.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"
import { createTenantKeys } from "./support/tenantKeys.ts"

let database: FreshDatabase
let server: ServerProcess
let keys: Readonly<Record<string, string>>
let config: string
const v1Clients: Array<ClientV1> = []

/** The server's WebSocket URL, with `key` as its `access_token` (none for `null`). */
const wsUrl = (server: ServerProcess, key: string | null = testApiKey) => {
  const url = new URL(server.mcpUrl)
  url.protocol = "ws:"
  if (key !== null) url.searchParams.set("access_token", key)
  return url
}

/** The official SDK v1 client over WebSocket, with sampling answered by a fake model. */
const connectV1 = async (url: URL): Promise<ClientV1> => {
  const client = new ClientV1({ name: "ws-e2e", version: "1.0.0" }, { capabilities: { sampling: {} } })
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => ({
    role: "assistant",
    model: "fake-model",
    content: { type: "text", text: `echo: ${JSON.stringify(request.params.messages[0]?.content)}` }
  }))
  await client.connect(new WebSocketClientTransport(url))
  v1Clients.push(client)
  return client
}

/** A raw WebSocket (the `ws` package) with headers of its own; resolves once open, or with the refusal's status. */
const raw = (url: URL, options: { protocols?: Array<string>; headers?: Record<string, string> } = {}) =>
  new Promise<{ socket?: WebSocket; status?: number; body?: string }>((resolve) => {
    const socket = new WebSocket(url, options.protocols ?? ["mcp"], { headers: options.headers ?? {} })
    socket.once("open", () => resolve({ socket }))
    socket.once("unexpected-response", (_request, response) => {
      let body = ""
      response.on("data", (chunk: Buffer) => {
        body += chunk.toString()
      })
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }))
    })
    socket.once("error", () => undefined)
  })

/** The next close of a socket: its code. */
const closed = (socket: WebSocket) => new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)))

/** Sends a JSON-RPC request on a raw socket and resolves with the message that answers it. */
const request = (socket: WebSocket, id: number, method: string, params: Record<string, unknown>) =>
  new Promise<Record<string, unknown>>((resolve) => {
    const onMessage = (data: Buffer) => {
      const message = JSON.parse(data.toString()) as Record<string, unknown>
      if (message.id === id) {
        socket.off("message", onMessage)
        resolve(message)
      }
    }
    socket.on("message", onMessage)
    socket.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }))
  })

/** Opens a raw 2025-era session (initialize, initialized). */
const initialized = async (socket: WebSocket) => {
  await request(socket, 0, "initialize", {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "raw", version: "1" }
  })
  socket.send(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }))
}

const configLines = [
  "http:",
  "  websocket: true",
  "  maxBodyBytes: 65536",
  "  websocketLimits: { maxConnections: 6, maxInFlight: 2, maxBufferedBytes: 262144 }",
  "tenancy:",
  "  tenants:",
  "    - { id: default, name: Default, tools: ['*'], resources: ['*'], prompts: ['*'] }",
  "    - { id: acme, name: Acme, tools: ['*'], resources: ['*'] }",
  "    - { id: globex, name: Globex, tools: ['*'], resources: ['*'] }",
  "plugins:",
  "  tickets: { seedDemoData: [default, acme] }",
  ...websocketProbePlugin,
  ""
]

beforeAll(async () => {
  database = await createDatabase("websocket")
  const workDir = await makeTempDir("websocket")
  config = join(workDir, "bulwark.yaml")
  await writeFile(config, configLines.join("\n"))
  server = await startServer({ args: ["--config", config], env: { DATABASE_URL: database.url }, cwd: workDir })
  keys = await createTenantKeys(database.url, ["acme", "globex"])
}, 60_000)

afterAll(async () => {
  for (const client of v1Clients) await client.close().catch(() => undefined)
  await closeAllClients()
  await stopAllServers()
  await dropDatabases()
  await removeTempDirs()
})

describe("the official SDK v1 client over WebSocket", () => {
  it("lists and calls what HTTP serves, with the same answers (the README's snippet)", async () => {
    const ws = await connectOverWebSocket(server.baseUrl, testApiKey)
    v1Clients.push(ws)
    const http = await connectHttp(server.mcpUrl, "legacy")
    const names = (tools: ReadonlyArray<{ name: string }>) => tools.map((tool) => tool.name).sort()
    expect(names((await ws.listTools()).tools)).toEqual(names((await http.listTools()).tools))

    const byWs = await ws.callTool({ name: "fetch_user", arguments: { email: "ada@example.com" } })
    const byHttp = await http.callTool({ name: "fetch_user", arguments: { email: "ada@example.com" } })
    expect(byWs.structuredContent).toEqual(byHttp.structuredContent)
    const created = await ws.callTool({
      name: "create_ticket",
      arguments: { title: "over a websocket", reporterId: (byWs.structuredContent as { id: number }).id }
    })
    const ticket = created.structuredContent as { id: number; title: string }
    expect(ticket.title).toBe("over a websocket")

    const read = await ws.readResource({ uri: `ticket://${ticket.id}` })
    expect(read).toEqual(await http.readResource({ uri: `ticket://${ticket.id}` }))
    const prompt = await ws.getPrompt({ name: "triage_ticket", arguments: { ticketId: String(ticket.id) } })
    expect(prompt.messages.length).toBeGreaterThan(0)

    const invalid = await ws.callTool({ name: "get_ticket", arguments: { id: "nope" } })
    expect(invalid.isError).toBe(true)
  })

  it("asks the client's model (sampling) in the middle of a call", async () => {
    const ws = await connectV1(wsUrl(server))
    const answer = await ws.callTool({ name: "ask_model", arguments: { question: "capital of France?" } })
    expect(answer.content).toEqual([{ type: "text", text: expect.stringContaining("capital of France?") }])
    expect(JSON.stringify(answer.content)).toContain("the model said: echo:")
  })

  it("cancels a call the client gives up on, and keeps serving the connection", async () => {
    const ws = await connectV1(wsUrl(server))
    const abort = new AbortController()
    const call = ws.callTool({ name: "wait", arguments: { ms: 20_000 } }, undefined, { signal: abort.signal })
    await new Promise((resolve) => setTimeout(resolve, 300))
    const before = server.stderr().split(interruptedLine).length
    abort.abort()
    await expect(call).rejects.toThrow()
    const deadline = Date.now() + 5_000
    while (server.stderr().split(interruptedLine).length === before && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(server.stderr().split(interruptedLine).length).toBe(before + 1)
    expect((await ws.callTool({ name: "wait", arguments: { ms: 1 } })).content).toEqual([
      { type: "text", text: "waited 1 ms" }
    ])
  })
})

describe("notifications over WebSocket", () => {
  it("tell a subscriber its resource changed, and only within its tenant", async () => {
    const acme = await connectV1(wsUrl(server, keys.acme as string))
    const globex = await connectV1(wsUrl(server, keys.globex as string))
    const heard = { acme: [] as Array<string>, globex: [] as Array<string> }
    acme.setNotificationHandler(ResourceUpdatedNotificationSchema, async (n) => void heard.acme.push(n.params.uri))
    globex.setNotificationHandler(ResourceUpdatedNotificationSchema, async (n) => void heard.globex.push(n.params.uri))
    const user = await acme.callTool({ name: "fetch_user", arguments: { email: "ada@example.com" } })
    const created = await acme.callTool({
      name: "create_ticket",
      arguments: { title: "watched", reporterId: (user.structuredContent as { id: number }).id }
    })
    const uri = `ticket://${(created.structuredContent as { id: number }).id}`
    // Both subscribe to the same URI; the ticket is acme's.
    await acme.subscribeResource({ uri })
    await globex.subscribeResource({ uri })
    const updated = await acme.callTool({
      name: "update_ticket_status",
      arguments: { id: (created.structuredContent as { id: number }).id, status: "in_progress" }
    })
    expect(updated.isError).not.toBe(true)
    const deadline = Date.now() + 5_000
    while (heard.acme.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(heard).toEqual({ acme: [uri], globex: [] })
  })

  it("tell a 2025-era connection that the tool list changed (a tenant's allow-list, reloaded on SIGHUP)", async () => {
    const client = await connectV1(wsUrl(server))
    let changed = 0
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      changed++
    })
    await writeFile(config, configLines.join("\n").replace("id: globex, name: Globex", "id: globex, name: Globex Inc"))
    server.child.kill("SIGHUP")
    const deadline = Date.now() + 10_000
    while (changed === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    expect(changed).toBeGreaterThan(0)
  })
})

/** Closes the v1 clients so far, freeing their places under the connection limit. */
const closeV1Clients = async () => {
  for (const client of v1Clients.splice(0)) await client.close().catch(() => undefined)
  await new Promise((resolve) => setTimeout(resolve, 200))
}

describe("the upgrade is refused as /mcp refuses", () => {
  beforeAll(closeV1Clients)

  it("without a credential, with a wrong one, without the mcp subprotocol, from a foreign origin", async () => {
    expect((await raw(wsUrl(server, null))).status).toBe(401)
    expect((await raw(wsUrl(server, "bwk_0123456789abcdef_wrongwrongwrongwrongwrongwrongwrongwrongwro"))).status).toBe(
      401
    )
    const noProtocol = await raw(wsUrl(server), { protocols: ["graphql-ws"] })
    expect(noProtocol.status).toBe(400)
    expect(noProtocol.body).toContain('offer the \\"mcp\\" subprotocol')
    expect((await raw(wsUrl(server), { headers: { origin: "https://evil.example" } })).status).toBe(403)
    // The Authorization header is the first way; the query parameter is for clients that cannot set headers.
    const { socket } = await raw(wsUrl(server, null), { headers: { authorization: `Bearer ${testApiKey}` } })
    expect(socket?.protocol).toBe("mcp")
    socket?.close()
    const audit = server.stderr()
    expect(audit).not.toContain(testApiKey)
  })
})

describe("limits", () => {
  it("closes a connection that sends a frame over the size limit with 1009", async () => {
    const { socket } = await raw(wsUrl(server))
    const code = closed(socket!)
    socket!.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping", params: { pad: "x".repeat(70_000) } }))
    expect(await code).toBe(1009)
  })

  it("answers a request past the connection's in-flight limit at once, and the others normally", async () => {
    const { socket } = await raw(wsUrl(server))
    await initialized(socket!)
    const calls = [1, 2, 3].map((id) => request(socket!, id, "tools/call", { name: "wait", arguments: { ms: 500 } }))
    const third = await calls[2]!
    expect(third.error).toMatchObject({ code: -32000, message: expect.stringContaining("at most 2") })
    const [first, second] = await Promise.all(calls.slice(0, 2))
    expect([first?.result, second?.result]).toEqual([
      { content: [{ type: "text", text: "waited 500 ms" }] },
      { content: [{ type: "text", text: "waited 500 ms" }] }
    ])
    socket!.close()
  })

  it("closes a connection whose client does not read (1008)", async () => {
    const { socket } = await raw(wsUrl(server))
    await initialized(socket!)
    const code = closed(socket!)
    // Stop reading: the answers pile up in the kernel's buffers, then in the server's.
    const underlying = (socket as unknown as { _socket: { pause: () => void; resume: () => void } })._socket
    underlying.pause()
    for (let id = 1; id <= 2; id++) {
      socket!.send(
        JSON.stringify({
          jsonrpc: "2.0",
          id,
          method: "tools/call",
          params: { name: "big_answer", arguments: { kib: 8192 } }
        })
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    underlying.resume()
    expect([1008, 1006]).toContain(await code)
    const deadline = Date.now() + 5_000
    while (!server.stderr().includes("the client is not reading") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(server.stderr()).toContain("the client is not reading")
  })

  it("refuses an upgrade past the connection limit with 503", async () => {
    const open: Array<WebSocket> = []
    let refused: number | undefined
    for (let i = 0; i < 8 && refused === undefined; i++) {
      const attempt = await raw(wsUrl(server))
      if (attempt.socket !== undefined) open.push(attempt.socket)
      else refused = attempt.status
    }
    expect(refused).toBe(503)
    for (const socket of open) socket.close()
  })
})

describe("SIGTERM", () => {
  it("answers the requests in flight, then closes with 1001 going away, and exits 0", async () => {
    await closeV1Clients()
    await closeAllClients()
    // The limit test's connections close as their close handshakes end: wait for a free place.
    let socket: WebSocket | undefined
    for (let attempt = 0; socket === undefined && attempt < 50; attempt++) {
      socket = (await raw(wsUrl(server))).socket
      if (socket === undefined) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    await initialized(socket!)
    const code = closed(socket!)
    const answer = request(socket!, 7, "tools/call", { name: "wait", arguments: { ms: 1_000 } })
    await new Promise((resolve) => setTimeout(resolve, 100))
    const exit = stopServer(server)
    expect((await answer).result).toEqual({ content: [{ type: "text", text: "waited 1000 ms" }] })
    expect(await code).toBe(1001)
    expect(await exit).toEqual({ code: 0, signal: null })
  })
})
