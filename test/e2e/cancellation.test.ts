/**
 * A client that cancels a `tools/call` stops the work: over HTTP (2026-07-28: the client closes the request's
 * connection; 2025: it sends `notifications/cancelled` on its session) and over stdio (`notifications/cancelled`),
 * the bundled server interrupts the handler (its query is cancelled in PostgreSQL, its interruption logged), frees
 * the tenant's concurrency permit at once, and audits the request as `cancelled`. The tool is a plugin the server
 * loads by module name, waiting inside the real PostgreSQL.
 */
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { createDatabase, dropDatabases, type FreshDatabase, query } from "@bulwark/database/testing"
import type { Client } from "@modelcontextprotocol/client"
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { databaseSleepPlugin, interruptedLine } from "./fixtures/database-sleep-plugin.ts"
import { closeAllClients, connectHttp, makeClient, type Negotiation, negotiations, textOf } from "./support/clients.ts"
import { nodeBin, serverMain } from "./support/paths.ts"
import { baseEnv, type ServerProcess, startServer, stopAllServers } from "./support/server.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"

let database: FreshDatabase
let server: ServerProcess
let configFile: string
let workDir: string

beforeAll(async () => {
  database = await createDatabase("cancel")
  workDir = await makeTempDir("cancel")
  configFile = join(workDir, "bulwark.yaml")
  // One permit: a call that kept its permit after being cancelled would make the next call refused at once.
  await writeFile(
    configFile,
    [
      ...databaseSleepPlugin,
      "tenancy:",
      "  tenants:",
      "    - id: default",
      "      name: Default",
      '      tools: ["*"]',
      "      limits: { concurrency: { permits: 1 } }",
      "audit: { flushInterval: 20 millis }",
      ""
    ].join("\n")
  )
  server = await startServer({ args: ["--config", configFile], env: { DATABASE_URL: database.url }, cwd: workDir })
})

afterAll(async () => {
  await closeAllClients()
  await stopAllServers()
  await dropDatabases()
  await removeTempDirs()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `probe` until it returns true, or fails after `timeoutMs`. */
const waitFor = async (what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await probe()) return
    await sleep(50)
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** How many `pg_sleep` queries of the server run in PostgreSQL now. */
const sleepingQueries = async () => {
  const rows = await query(
    database.url,
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND state = 'active' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()`
  )
  return Number(rows[0]?.n)
}

/** The audit outcomes of `database_sleep` calls, oldest first. */
const auditedOutcomes = async () =>
  (await query(database.url, "SELECT outcome FROM audit_log WHERE target = 'database_sleep' ORDER BY id")).map((row) =>
    String(row.outcome)
  )

/**
 * Starts a long call, waits until its query runs in PostgreSQL, cancels it, and checks what the issue asks for:
 * the query is gone, the handler logged its interruption, the permit is free, the audit says `cancelled`.
 */
const cancelAndCheck = async (client: Client, stderr: () => string) => {
  const before = await auditedOutcomes()
  const interruptionsBefore = stderr().split(interruptedLine).length
  const abort = new AbortController()
  const call = client.callTool({ name: "database_sleep", arguments: { seconds: 60 } }, { signal: abort.signal }).then(
    () => "answered",
    () => "rejected"
  )
  await waitFor("the query to run in PostgreSQL", async () => (await sleepingQueries()) === 1)
  abort.abort(new Error("the user pressed stop"))
  expect(await call).toBe("rejected")

  await waitFor("the query to be cancelled in PostgreSQL", async () => (await sleepingQueries()) === 0)
  await waitFor(
    "the handler to log its interruption",
    () => stderr().split(interruptedLine).length > interruptionsBefore
  )

  // The permit was given back: with one permit, this call would be refused (-32029) if it had not been.
  const next = await client.callTool({ name: "database_sleep", arguments: { seconds: 0 } })
  expect(next.isError ?? false).toBe(false)
  expect(textOf(next)).toBe("slept 0 s")

  await waitFor("both calls in the audit log", async () => (await auditedOutcomes()).length >= before.length + 2)
  expect((await auditedOutcomes()).slice(before.length)).toEqual(["cancelled", "success"])
}

describe.each(negotiations)("cancelling a tool call, %s negotiation", (mode: Negotiation) => {
  it("over HTTP interrupts the handler, frees the permit and audits it as cancelled", async () => {
    const client = await connectHttp(server.mcpUrl, mode)
    await cancelAndCheck(client, server.stderr)
  })

  it("over stdio interrupts the handler, frees the permit and audits it as cancelled", async () => {
    const transport = new StdioClientTransport({
      command: nodeBin,
      args: [serverMain, "--stdio", "--config", configFile],
      env: baseEnv({ DATABASE_URL: database.url, LOG_LEVEL: "info" }),
      cwd: workDir,
      stderr: "pipe"
    })
    let stderr = ""
    transport.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
    })
    const client = makeClient(mode)
    await client.connect(transport)
    await cancelAndCheck(client, () => stderr)
  })
})
