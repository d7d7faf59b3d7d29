/**
 * The cache's shared layer (L2) in Redis: two bundled servers on one PostgreSQL and one Redis of the test's own (a
 * `redis-server` it starts and later stops). An answer one instance computed is a hit on the other, which never asks
 * the database; a write on one is read fresh on the other; and when Redis goes away the servers keep answering, from
 * their own memory or the database, with a warning in the log and no failed request.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { createDatabase, dropDatabases, type FreshDatabase, freePort } from "@bulwark/database/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { rpc } from "./support/rawHttp.ts"
import { type ServerProcess, startServer, stopAllServers } from "./support/server.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"

let database: FreshDatabase
let redis: ChildProcess
let first: ServerProcess
let second: ServerProcess

beforeAll(async () => {
  const port = await freePort()
  redis = spawn("redis-server", ["--port", String(port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"], {
    stdio: "ignore"
  })
  await new Promise((resolve) => setTimeout(resolve, 300))
  database = await createDatabase("caching_redis")
  const env = { DATABASE_URL: database.url, REDIS_URL: `redis://127.0.0.1:${port}` }
  first = await startServer({ env, cwd: await makeTempDir("l2-a") })
  second = await startServer({ env, cwd: await makeTempDir("l2-b") })
}, 60_000)

afterAll(async () => {
  redis.kill("SIGKILL")
  await stopAllServers()
  await dropDatabases()
  await removeTempDirs()
})

/** The sum of a metric's series on a server whose line matches. */
const metric = async (server: ServerProcess, series: RegExp): Promise<number> => {
  const text = await (await fetch(new URL("/metrics", server.baseUrl))).text()
  return text
    .split("\n")
    .filter((line) => series.test(line))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0)
}

const backendCalls = (server: ServerProcess) => metric(server, /^bulwark_backend_calls_total\{.*backend="tickets-db"/)

const call = async (server: ServerProcess, name: string, args: Record<string, unknown>) => {
  const message = await rpc(server.mcpUrl, "tools/call", { name, arguments: args }, "2026-07-28")
  return message.result?.structuredContent as Record<string, unknown>
}

describe("the shared cache layer in Redis", () => {
  it("serves one instance's answer to the other without the database", async () => {
    const ticket = await call(first, "create_ticket", { title: "Shared printer", reporterId: 1 })
    expect((await call(first, "get_ticket", { id: ticket.id })).title).toBe("Shared printer")
    const before = await backendCalls(second)
    expect((await call(second, "get_ticket", { id: ticket.id })).title).toBe("Shared printer")
    expect((await backendCalls(second)) - before).toBe(0)
    expect(await metric(second, /^mcp_cache_hits_total\{.*layer="l2"/)).toBeGreaterThanOrEqual(1)

    await call(second, "update_ticket_status", { id: ticket.id, status: "resolved" })
    // The writer's own instance is fresh at once; the other drops its in-process answer as soon as it hears of the
    // invalidation (PostgreSQL NOTIFY), which may take a moment on a loaded machine.
    expect((await call(second, "get_ticket", { id: ticket.id })).status).toBe("resolved")
    const deadline = Date.now() + 5_000
    let seen = (await call(first, "get_ticket", { id: ticket.id })).status
    while (seen !== "resolved" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      seen = (await call(first, "get_ticket", { id: ticket.id })).status
    }
    expect(seen).toBe("resolved")
  }, 30_000)

  it("keeps answering when Redis goes away, and says so in the log", async () => {
    redis.kill("SIGKILL")
    await new Promise((resolve) => setTimeout(resolve, 200))
    const ticket = await call(first, "create_ticket", { title: "No Redis", reporterId: 1 })
    for (let i = 0; i < 5; i++) {
      expect((await call(first, "get_ticket", { id: ticket.id })).title).toBe("No Redis")
      expect((await call(second, "get_ticket", { id: ticket.id })).title).toBe("No Redis")
    }
    const warned = (server: ServerProcess) => server.stderr().includes("the shared cache (Redis) did not answer")
    expect(warned(first) || warned(second)).toBe(true)
  }, 30_000)
})
