/**
 * Idempotency keys on `tools/call`, two bundled servers on one real PostgreSQL: a retried `create_ticket` with the
 * same key (in `_meta` or as the `Idempotency-Key` header) gets the first call's ticket, on either instance, also
 * when ten retries arrive at once; the same key with other arguments is a clear error. One ticket per key, counted in
 * the database.
 */
import { createDatabase, dropDatabases, type FreshDatabase, query } from "@bulwark/database/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { bodyFor, headersFor, parseJsonRpc, post } from "./support/rawHttp.ts"
import { type ServerProcess, startServer, stopAllServers } from "./support/server.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"

let database: FreshDatabase
let first: ServerProcess
let second: ServerProcess

beforeAll(async () => {
  database = await createDatabase("idempotency")
  const env = { DATABASE_URL: database.url }
  first = await startServer({ env, cwd: await makeTempDir("idem-a") })
  second = await startServer({ env, cwd: await makeTempDir("idem-b") })
}, 60_000)

afterAll(async () => {
  await stopAllServers()
  await dropDatabases()
  await removeTempDirs()
})

/** `create_ticket` with an idempotency key in `_meta` (or in the header); the JSON-RPC message answered. */
const create = async (server: ServerProcess, title: string, key: string, via: "meta" | "header" = "meta") => {
  const params = {
    name: "create_ticket",
    arguments: { title, reporterId: 1 },
    ...(via === "meta" ? { _meta: { "io.bulwark/idempotencyKey": key } } : {})
  }
  const body = JSON.parse(bodyFor("2026-07-28", "tools/call", params))
  body.params._meta = { ...body.params._meta, ...params._meta }
  const headers = {
    ...headersFor("2026-07-28", "tools/call", params),
    ...(via === "header" ? { "idempotency-key": key } : {})
  }
  const response = await post(server.mcpUrl, JSON.stringify(body), headers)
  return parseJsonRpc(response.headers.get("content-type") ?? "", await response.text())
}

const idOf = (message: Awaited<ReturnType<typeof create>>) =>
  (message.result?.structuredContent as { id?: number } | undefined)?.id

const ticketsTitled = async (title: string) =>
  (await query(database.url, `SELECT count(*)::int AS n FROM tickets WHERE title = '${title}'`))[0]?.n

describe("idempotency keys", () => {
  it("give a retry the first call's result, on either instance, and run the tool once", async () => {
    const firstCall = idOf(await create(first, "Retried printer", "key-1"))
    expect(idOf(await create(first, "Retried printer", "key-1"))).toBe(firstCall)
    expect(idOf(await create(second, "Retried printer", "key-1"))).toBe(firstCall)
    expect(idOf(await create(second, "Retried printer", "key-1", "header"))).toBe(firstCall)
    expect(await ticketsTitled("Retried printer")).toBe(1)
  })

  it("run ten retries arriving at once as one call", async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => create(i % 2 === 0 ? first : second, "Stampede printer", "key-2"))
    )
    expect(new Set(answers.map(idOf)).size).toBe(1)
    expect(await ticketsTitled("Stampede printer")).toBe(1)
  })

  it("refuse the same key with other arguments, clearly", async () => {
    await create(first, "Original", "key-3")
    const reused = await create(second, "Something else", "key-3")
    expect(reused.error?.code).toBe(-32602)
    expect(reused.error?.message).toContain('Idempotency key "key-3" was first used with other arguments')
    expect(await ticketsTitled("Something else")).toBe(0)
  })
})
