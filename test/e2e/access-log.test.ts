/**
 * The access log of the bundled server: every HTTP exchange on `/mcp` leaves exactly one `request` line on stderr
 * (the pipeline's for a request it served, the edge's for one it refused or the SDK answered), with the trace id and
 * no arguments; `accessLog.mode: failures` keeps only the requests that did not succeed, and `sampleRate: 0` keeps no
 * successful ones while every failure is still logged.
 */
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { createDatabase, dropDatabases, type FreshDatabase } from "@bulwark/database/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { authHeaders } from "./support/credentials.ts"
import { bodyFor, headersFor, post } from "./support/rawHttp.ts"
import { type ServerProcess, startServer, stopAllServers } from "./support/server.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"

let database: FreshDatabase

beforeAll(async () => {
  database = await createDatabase("accesslog")
})

afterAll(async () => {
  await stopAllServers()
  await dropDatabases()
  await removeTempDirs()
})

const start = async (accessLog: string): Promise<ServerProcess> => {
  const dir = await makeTempDir("accesslog")
  const file = join(dir, "bulwark.yaml")
  await writeFile(file, `accessLog: ${accessLog}\n`)
  return startServer({ args: ["--config", file], env: { DATABASE_URL: database.url }, cwd: dir })
}

interface Line {
  readonly message: string
  readonly method?: string
  readonly outcome?: string
  readonly traceId?: string
  readonly [key: string]: unknown
}

const requestLines = (server: ServerProcess): Array<Line> =>
  server
    .stderr()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Line)
    .filter((line) => line.message === "request")

/** Waits until the server has written `count` request lines (logs are written once per event-loop turn). */
const settle = async (server: ServerProcess, count: number) => {
  const deadline = Date.now() + 5000
  while (requestLines(server).length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  await new Promise((resolve) => setTimeout(resolve, 100))
}

const call = (server: ServerProcess, wire: "2025-11-25" | "2026-07-28", args: Record<string, unknown>) => {
  const params = { name: "fetch_user", arguments: args }
  return post(server.mcpUrl, bodyFor(wire, "tools/call", params), headersFor(wire, "tools/call", params))
}

/** One of each kind of exchange: served calls in both forms, a tool error, a refused credential, a session. */
const exchanges = async (server: ServerProcess) => {
  const answers = [
    await call(server, "2026-07-28", { id: 1 }),
    await call(server, "2025-11-25", { id: 1 }),
    await call(server, "2026-07-28", { id: 1, secret: "SECRET-ARGUMENT" }),
    await post(server.mcpUrl, bodyFor("2025-11-25", "tools/list", {}), {
      ...headersFor("2025-11-25", "tools/list", {}),
      authorization: "Bearer bwk_nope_nope"
    }),
    await post(
      server.mcpUrl,
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "log", version: "1" } }
      }),
      { ...authHeaders, "content-type": "application/json", accept: "application/json, text/event-stream" }
    )
  ]
  for (const answer of answers) await answer.text()
  return answers.map((answer) => answer.status)
}

describe("the access log", () => {
  it("writes one request line per exchange, with its trace id and without arguments", async () => {
    const server = await start("{ mode: all }")
    const before = requestLines(server).length
    expect(await exchanges(server)).toEqual([200, 200, 200, 401, 200])
    await settle(server, before + 5)
    const lines = requestLines(server).slice(before)
    expect(lines.map((line) => [line.method, line.outcome])).toEqual([
      ["tools/call", "success"],
      ["tools/call", "success"],
      ["tools/call", "tool_error"],
      ["tools/list", "rejected"],
      ["initialize", "success"]
    ])
    for (const line of lines) expect(line.traceId).toMatch(/^[0-9a-f]{32}$/)
    expect(lines[3]).toMatchObject({ status: 401, reason: expect.any(String) })
    expect(server.stderr()).not.toContain("SECRET-ARGUMENT")
    expect(server.stderr()).not.toContain("Sent HTTP response")
  })

  it("keeps only failures in mode failures, and every failure but no success at sampleRate 0", async () => {
    for (const setting of ["{ mode: failures }", "{ mode: all, sampleRate: 0 }"]) {
      const server = await start(setting)
      const before = requestLines(server).length
      await exchanges(server)
      await settle(server, before + 2)
      const lines = requestLines(server).slice(before)
      expect(
        lines.map((line) => line.outcome),
        setting
      ).toEqual(["tool_error", "rejected"])
    }
  })
})
