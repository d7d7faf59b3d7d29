/**
 * Authentication of the bundled server at its HTTP edge: a fresh server hands over its first API key once (in a file,
 * as stderr is not a terminal here: see bootstrap-key.test.ts), every request
 * to /mcp needs a credential, and a refused request gets the same 401 whatever was wrong, before any MCP work.
 */
import { readFile, rm, stat } from "node:fs/promises"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { closeAllClients } from "./support/clients.ts"
import { type ServerProcess, startServer, stopAllServers, stopServer } from "./support/server.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"

const keyPattern = /^bwk_[0-9a-f]+_[A-Za-z0-9_-]+$/

let dataDir: string
let server: ServerProcess
let key: string

const listTools = (credential: Record<string, string>, body = '{"jsonrpc":"2.0","id":1,"method":"tools/list"}') =>
  fetch(new URL("/mcp", server.baseUrl), {
    method: "POST",
    headers: {
      ...credential,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-11-25"
    },
    body
  })

beforeAll(async () => {
  const workDir = await makeTempDir("auth")
  dataDir = await makeTempDir("auth-data")
  // No preset key: the server must generate one and hand it over once.
  server = await startServer({ cwd: workDir, env: { BULWARK_DATA_DIR: dataDir, BULWARK_API_KEY: "" } })
  key = (await readFile(join(dataDir, "bootstrap-api-key"), "utf8")).trim()
  expect(key).toMatch(keyPattern)
  // As the operator is told to: store it, then delete the file.
  await rm(join(dataDir, "bootstrap-api-key"))
})

afterAll(async () => {
  await closeAllClients()
  await stopAllServers()
  await removeTempDirs()
})

describe("the HTTP edge", () => {
  it("never prints the first key, and it authenticates", async () => {
    expect(server.stdout()).not.toContain(key)
    expect(server.stderr()).not.toContain(key)
    const response = await listTools({ authorization: `Bearer ${key}` })
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('"name":"create_ticket"')
  })

  it("refuses a missing credential, and every bad one with one identical 401 (RFC 6750: invalid_token)", async () => {
    const wrongSecret = key.replace(/_[^_]+$/, "_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    const answers = await Promise.all(
      [{ authorization: `Bearer ${wrongSecret}` }, { authorization: "Bearer bwk_0000_nope" }, { "x-api-key": "x" }]
        .map((credential) => listTools(credential))
        .map(async (pending) => {
          const response = await pending
          return {
            status: response.status,
            challenge: response.headers.get("www-authenticate"),
            body: await response.text()
          }
        })
    )
    for (const answer of answers) {
      expect(answer.status).toBe(401)
      expect(answer.challenge).toMatch(/^Bearer /)
      expect(answer.body).toBe(answers[0]!.body)
      expect(answer.body).not.toContain("tools")
    }
    const missing = await listTools({})
    expect(missing.status).toBe(401)
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer /)
    expect(await missing.text()).not.toContain("tools")
  })

  it("authenticates before parsing: malformed JSON without a credential is a 401, not a parse error", async () => {
    const response = await listTools({}, "{not json")
    expect(response.status).toBe(401)
  })

  it("makes no key again on the next start, and the first key still works", async () => {
    await stopServer(server)
    server = await startServer({
      cwd: await makeTempDir("auth-2"),
      env: { BULWARK_DATA_DIR: dataDir, BULWARK_API_KEY: "" }
    })
    await expect(stat(join(dataDir, "bootstrap-api-key"))).rejects.toThrow()
    expect(server.stderr()).not.toContain("The first API key")
    expect((await listTools({ authorization: `Bearer ${key}` })).status).toBe(200)
  })
})

describe("/metrics with a scrape token", () => {
  it("answers only a scraper that presents the token", async () => {
    const token = "scrape-token-0123456789abcdef"
    const metricsServer = await startServer({
      args: ["--in-memory"],
      cwd: await makeTempDir("auth-metrics"),
      env: { BULWARK_METRICS_TOKEN: token }
    })
    const url = new URL("/metrics", metricsServer.baseUrl)
    expect((await fetch(url)).status).toBe(401)
    expect((await fetch(url, { headers: { authorization: "Bearer wrong-token-0123456789" } })).status).toBe(401)
    const scraped = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
    expect(scraped.status).toBe(200)
    expect(scraped.headers.get("content-type")).toContain("text/plain; version=0.0.4")
    expect(metricsServer.stderr()).not.toContain(token)
    await stopServer(metricsServer)
  })
})
