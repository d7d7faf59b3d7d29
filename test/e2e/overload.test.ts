/**
 * Load shedding in the bundled server: with every slot taken and the queue full, a request is refused at once (HTTP
 * 503 with `Retry-After` and a JSON-RPC error; stdio a JSON-RPC error), health checks keep answering, and once the
 * work in flight ends the server admits requests again by itself. The work in flight is a tool waiting inside the
 * real PostgreSQL.
 */
import { spawn } from "node:child_process"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { createDatabase, dropDatabases, type FreshDatabase } from "@bulwark/database/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { databaseSleepPlugin } from "./fixtures/database-sleep-plugin.ts"
import { nodeBin, serverMain } from "./support/paths.ts"
import { bodyFor, headersFor, parseJsonRpc, post, wires } from "./support/rawHttp.ts"
import { baseEnv, type ServerProcess, startServer, stopAllServers } from "./support/server.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"

let database: FreshDatabase
let server: ServerProcess
let configFile: string
let workDir: string

beforeAll(async () => {
  database = await createDatabase("overload")
  workDir = await makeTempDir("overload")
  configFile = join(workDir, "bulwark.yaml")
  await writeFile(
    configFile,
    [...databaseSleepPlugin, "admission: { maxInFlight: 2, maxQueued: 1, queueTimeout: 300 millis }", ""].join("\n")
  )
  server = await startServer({ args: ["--config", configFile], env: { DATABASE_URL: database.url }, cwd: workDir })
})

afterAll(async () => {
  await stopAllServers()
  await dropDatabases()
  await removeTempDirs()
})

const call = (wire: (typeof wires)[number], seconds: number) => {
  const params = { name: "database_sleep", arguments: { seconds } }
  return post(server.mcpUrl, bodyFor(wire, "tools/call", params), headersFor(wire, "tools/call", params))
}

describe("load shedding over HTTP", () => {
  for (const wire of wires) {
    it(`${wire}: refuses the excess at once with 503 and Retry-After, keeps /healthz up, and recovers`, async () => {
      // Two in flight, one waiting in the queue: the capacity is full.
      const busy = [call(wire, 1.5), call(wire, 1.5), call(wire, 0)]
      await new Promise((resolve) => setTimeout(resolve, 200))

      const refusedAt = performance.now()
      const refused = await call(wire, 0)
      expect(performance.now() - refusedAt).toBeLessThan(250)
      expect(refused.status).toBe(503)
      expect(refused.headers.get("retry-after")).toBe("1")
      const error = parseJsonRpc(refused.headers.get("content-type") ?? "", await refused.text()).error
      expect(error).toMatchObject({ code: -32030, message: "Server overloaded; retry after 1 s" })

      const health = await fetch(`${server.baseUrl}/healthz`)
      expect(health.status).toBe(200)

      // The queued request waited 300 ms at most, then was refused too; the two in flight finish normally.
      const answers = await Promise.all(busy)
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 503])
      for (const answer of answers.slice(0, 2)) {
        const body = parseJsonRpc(answer.headers.get("content-type") ?? "", await answer.text())
        expect(body.result?.content).toEqual([{ type: "text", text: "slept 1.5 s" }])
      }

      const after = await call(wire, 0)
      expect(after.status).toBe(200)
    })
  }
})

describe("load shedding over stdio", () => {
  it("answers a request past capacity with a JSON-RPC error", async () => {
    const child = spawn(nodeBin, [serverMain, "--stdio", "--config", configFile], {
      cwd: workDir,
      env: baseEnv({ DATABASE_URL: database.url }),
      stdio: ["pipe", "pipe", "pipe"]
    })
    const answers = new Map<number, Record<string, unknown>>()
    createInterface({ input: child.stdout }).on("line", (line) => {
      const message = JSON.parse(line) as { id?: number }
      if (typeof message.id === "number") answers.set(message.id, message)
    })
    const send = (message: Record<string, unknown>) => child.stdin.write(`${JSON.stringify(message)}\n`)
    const waitFor = async (ids: ReadonlyArray<number>) => {
      const deadline = Date.now() + 15_000
      while (!ids.every((id) => answers.has(id))) {
        if (Date.now() > deadline) throw new Error(`no answer to ${ids.filter((id) => !answers.has(id))}`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
    try {
      send({
        jsonrpc: "2.0",
        id: 0,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "overload", version: "1" } }
      })
      await waitFor([0])
      send({ jsonrpc: "2.0", method: "notifications/initialized" })
      const sleepCall = (id: number, seconds: number) =>
        send({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "database_sleep", arguments: { seconds } } })
      sleepCall(1, 1)
      sleepCall(2, 1)
      sleepCall(3, 1)
      await new Promise((resolve) => setTimeout(resolve, 100))
      sleepCall(4, 0)
      await waitFor([1, 2, 3, 4])
      expect(answers.get(4)).toMatchObject({ error: { code: -32030, data: { retryAfterSeconds: 1 } } })
      expect(answers.get(1)).toHaveProperty("result")
      expect(answers.get(2)).toHaveProperty("result")
    } finally {
      child.kill("SIGTERM")
    }
  })
})
