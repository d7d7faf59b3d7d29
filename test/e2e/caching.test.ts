/**
 * Declared caching in the bundled server, two instances on one real PostgreSQL (the tickets plugin caches
 * `fetch_user`, `get_ticket` and `list_tickets`; its writes invalidate what they change). The article's cost-overrun
 * scenario: 1,000 identical calls make a handful of calls to the database, counted where the backend counts them. A
 * write on one instance reaches the other: its next read is fresh (PostgreSQL `NOTIFY`), and the writer's own next
 * read is fresh at once (read your writes).
 */
import { createDatabase, dropDatabases, type FreshDatabase } from "@bulwark/database/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { closeAllClients, connectHttp } from "./support/clients.ts"
import { rpc } from "./support/rawHttp.ts"
import { type ServerProcess, startServer, stopAllServers } from "./support/server.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"

let database: FreshDatabase
let first: ServerProcess
let second: ServerProcess

beforeAll(async () => {
  database = await createDatabase("caching")
  const env = { DATABASE_URL: database.url }
  first = await startServer({ env, cwd: await makeTempDir("caching-a") })
  second = await startServer({ env, cwd: await makeTempDir("caching-b") })
}, 60_000)

afterAll(async () => {
  await closeAllClients()
  await stopAllServers()
  await dropDatabases()
  await removeTempDirs()
})

/** The calls that reached `tickets-db` on a server, as its backend counts them. */
const backendCalls = async (server: ServerProcess): Promise<number> => {
  const text = await (await fetch(new URL("/metrics", server.baseUrl))).text()
  let total = 0
  for (const line of text.split("\n")) {
    if (line.startsWith("bulwark_backend_calls_total{") && line.includes('backend="tickets-db"')) {
      total += Number(line.slice(line.lastIndexOf(" ") + 1))
    }
  }
  return total
}

const call = async (server: ServerProcess, name: string, args: Record<string, unknown>) => {
  const message = await rpc(server.mcpUrl, "tools/call", { name, arguments: args }, "2026-07-28")
  return message.result?.structuredContent as Record<string, unknown>
}

describe("declared caching", () => {
  it("answers 1,000 identical calls with a handful of database calls", async () => {
    const ticket = await call(first, "create_ticket", { title: "Printer on fire", reporterId: 1 })
    const before = await backendCalls(first)
    for (let i = 0; i < 1000; i++) await call(first, "get_ticket", { id: ticket.id })
    const made = (await backendCalls(first)) - before
    console.info(`caching: 1000 identical get_ticket calls made ${made} call(s) to tickets-db`)
    expect(made).toBeLessThanOrEqual(3)
  }, 60_000)

  it("runs 100 concurrent identical misses as one database call", async () => {
    const ticket = await call(first, "create_ticket", { title: "Everyone asks at once", reporterId: 1 })
    const before = await backendCalls(first)
    const answers = await Promise.all(Array.from({ length: 100 }, () => call(first, "get_ticket", { id: ticket.id })))
    const made = (await backendCalls(first)) - before
    console.info(`caching: 100 concurrent identical get_ticket misses made ${made} call(s) to tickets-db`)
    expect(new Set(answers.map((a) => a.title))).toEqual(new Set(["Everyone asks at once"]))
    expect(made).toBe(1)
  }, 30_000)

  it("keeps a write's reads fresh on the writer at once and on the other instance", async () => {
    const ticket = await call(first, "create_ticket", { title: "Projector smokes", reporterId: 1 })
    // Both instances cache the ticket as open.
    expect((await call(first, "get_ticket", { id: ticket.id })).status).toBe("open")
    expect((await call(second, "get_ticket", { id: ticket.id })).status).toBe("open")
    await call(first, "update_ticket_status", { id: ticket.id, status: "in_progress" })
    expect((await call(first, "get_ticket", { id: ticket.id })).status).toBe("in_progress")
    // The other instance hears of it through PostgreSQL NOTIFY.
    const started = Date.now()
    let seen = (await call(second, "get_ticket", { id: ticket.id })).status
    while (seen !== "in_progress" && Date.now() - started < 1000) {
      await new Promise((resolve) => setTimeout(resolve, 10))
      seen = (await call(second, "get_ticket", { id: ticket.id })).status
    }
    console.info(`caching: the other instance read the new status after ${Date.now() - started} ms`)
    expect(seen).toBe("in_progress")
    // Lists too: a new ticket shows in the other instance's next list.
    const listed = async () =>
      ((await call(second, "list_tickets", {})).tickets as Array<{ id: number }>).map((t) => t.id)
    expect(await listed()).toContain(ticket.id)
    const newer = await call(first, "create_ticket", { title: "Coffee machine sings", reporterId: 1 })
    const deadline = Date.now() + 1000
    let ids = await listed()
    while (!ids.includes(newer.id as number) && Date.now() < deadline) ids = await listed()
    expect(ids).toContain(newer.id)
  }, 60_000)

  it("tells a subscriber of ticket://N when a write changes it, after which its read is fresh", async () => {
    const ticket = await call(first, "create_ticket", { title: "Subscribed printer", reporterId: 1 })
    const uri = `ticket://${ticket.id}`
    const watcher = await connectHttp(second.mcpUrl, "legacy")
    const heard: Array<string> = []
    watcher.setNotificationHandler("notifications/resources/updated", async (n) => {
      heard.push(n.params.uri)
    })
    await watcher.subscribeResource({ uri })
    const read = async () => (await watcher.readResource({ uri })).contents[0] as { text: string }
    expect(JSON.parse((await read()).text).status).toBe("open")
    await call(second, "update_ticket_status", { id: ticket.id, status: "closed" })
    const deadline = Date.now() + 2000
    while (heard.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(heard).toEqual([uri])
    expect(JSON.parse((await read()).text).status).toBe("closed")
  }, 30_000)
})
