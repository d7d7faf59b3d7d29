/**
 * Failed logins are throttled per client address: past `identity.failedLogins.max` refused credentials within
 * `per`, the address gets 429 with `Retry-After` (JSON-RPC -32029), even with a valid key, until the window has
 * passed; another address is not affected. The audit stays truthful without being flooded: each 401 is one record,
 * the throttled requests are counted into one record per window; `/metrics` counts both for alerting.
 */
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { createDatabase, dropDatabases, type FreshDatabase, query } from "@bulwark/database/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { authHeaders } from "./support/credentials.ts"
import { bodyFor, headersFor, legacyHeaders, rawRequest } from "./support/rawHttp.ts"
import { type ServerProcess, startServer, stopAllServers, stopServer } from "./support/server.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"

let database: FreshDatabase
let server: ServerProcess

beforeAll(async () => {
  database = await createDatabase("logins")
  const workDir = await makeTempDir("logins")
  const configFile = join(workDir, "bulwark.yaml")
  await writeFile(
    configFile,
    ["identity:", "  failedLogins: { max: 5, per: 3 seconds }", "audit: { flushInterval: 20 millis }", ""].join("\n")
  )
  server = await startServer({ args: ["--config", configFile], env: { DATABASE_URL: database.url }, cwd: workDir })
})

afterAll(async () => {
  await stopAllServers()
  await dropDatabases()
  await removeTempDirs()
})

const ping = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" })
const wrongKey = {
  ...legacyHeaders,
  authorization: "Bearer bwk_0000000000000000_wrongwrongwrongwrongwrongwrongwrongwrong0"
}

/** A ping from `localAddress` with the given headers. */
const send = (headers: Readonly<Record<string, string>>, localAddress = "127.0.0.1") =>
  rawRequest(server.mcpUrl, { method: "POST", headers, body: ping, localAddress })

/** A 2026-07-28 tool call (served on the fast path) from 127.0.0.1 with the valid key. */
const call = () => {
  const params = { name: "fetch_user", arguments: { id: 1 } }
  return rawRequest(server.mcpUrl, {
    method: "POST",
    headers: { ...headersFor("2026-07-28", "tools/call", params), ...authHeaders },
    body: bodyFor("2026-07-28", "tools/call", params),
    localAddress: "127.0.0.1"
  })
}

describe("failed logins", () => {
  it("are throttled per address with 429 and Retry-After, counted, and audited without a flood", async () => {
    // The valid key is verified now, and then recalled from memory for a while: throttling still comes first.
    expect((await call()).status).toBe(200)
    for (let i = 0; i < 5; i++) expect((await send(wrongKey)).status).toBe(401)

    const throttled = await send(wrongKey)
    expect(throttled.status).toBe(429)
    expect(Number(throttled.retryAfter)).toBeGreaterThanOrEqual(1)
    expect(JSON.parse(throttled.body)).toMatchObject({
      error: { code: -32029, data: { retryAfterSeconds: expect.any(Number) } }
    })
    // The address is throttled before its credential is looked at: a valid key waits too.
    expect((await send({ ...legacyHeaders, ...authHeaders })).status).toBe(429)
    expect((await call()).status).toBe(429)
    for (let i = 0; i < 20; i++) expect((await send(wrongKey)).status).toBe(429)

    // Another client is not affected.
    expect((await send({ ...legacyHeaders, ...authHeaders }, "127.0.0.2")).status).toBe(200)

    const metrics = await (await fetch(new URL("/metrics", server.baseUrl))).text()
    expect(metrics).toMatch(/^bulwark_authentication_failures_total(\{[^}]*\})? 5$/m)
    expect(metrics).toMatch(/^bulwark_authentication_throttled_total(\{[^}]*\})? 23$/m)

    // Once the window has passed, the address may try again.
    await new Promise((resolve) => setTimeout(resolve, 3500))
    expect((await send({ ...legacyHeaders, ...authHeaders })).status).toBe(200)

    // Shutdown writes the counted refusals: 5 records for the 401s, the 23 throttled requests in one.
    expect((await stopServer(server)).code).toBe(0)
    const rows = await query(
      database.url,
      "SELECT rejected_by, reason, arguments FROM audit_log WHERE outcome = 'rejected' ORDER BY id"
    )
    expect(rows.filter((row) => row.rejected_by === "authentication")).toHaveLength(5)
    const counted = rows.filter((row) => row.rejected_by === "throttle")
    expect(counted).toEqual([
      {
        rejected_by: "throttle",
        reason: "address throttled: 5 failed authentications within 3s",
        arguments: { count: 23, clientAddress: "127.0.0.1" }
      }
    ])
  }, 30_000)
})

describe("failed logins behind a trusted reverse proxy", () => {
  let proxied: ServerProcess
  beforeAll(async () => {
    const workDir = await makeTempDir("logins-proxy")
    const configFile = join(workDir, "bulwark.yaml")
    await writeFile(
      configFile,
      ["http: { trustedProxies: [127.0.0.1] }", "identity:", "  failedLogins: { max: 2, per: 1 minute }", ""].join("\n")
    )
    proxied = await startServer({ args: ["--config", configFile], env: { DATABASE_URL: database.url }, cwd: workDir })
  })

  const via = (forwardedFor: string, headers: Readonly<Record<string, string>>) =>
    rawRequest(proxied.mcpUrl, { method: "POST", headers: { ...headers, "x-forwarded-for": forwardedFor }, body: ping })

  it("are counted per client the proxy names, not per proxy", async () => {
    expect((await via("10.0.0.1", wrongKey)).status).toBe(401)
    expect((await via("10.0.0.1", wrongKey)).status).toBe(401)
    expect((await via("10.0.0.1", wrongKey)).status).toBe(429)
    // Another client behind the same proxy is not affected; a client's own claim left of it changes nothing.
    expect((await via("10.0.0.2", { ...legacyHeaders, ...authHeaders })).status).toBe(200)
    expect((await via("6.6.6.6, 10.0.0.1", wrongKey)).status).toBe(429)
  })
})
