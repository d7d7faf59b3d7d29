/**
 * The edge's answers to malformed and foreign requests, each with its JSON-RPC body and its one audit record: a
 * `Host` with user information (a 500 with an empty body once), a foreign `Host` on `/metrics` and the health checks
 * (DNS rebinding must read nothing from any route), JSON-RPC batches under the revisions that removed them, and
 * requests Node's HTTP parser refuses (duplicate `Content-Length`, a control character in a header).
 */
import { writeFile } from "node:fs/promises"
import { connect } from "node:net"
import { join } from "node:path"
import { createDatabase, dropDatabases, type FreshDatabase, query } from "@bulwark/database/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { authHeaders } from "./support/credentials.ts"
import { legacyHeaders, rawRequest } from "./support/rawHttp.ts"
import { type ServerProcess, startServer, stopAllServers, stopServer } from "./support/server.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"

let database: FreshDatabase
let server: ServerProcess

beforeAll(async () => {
  database = await createDatabase("edge")
  const workDir = await makeTempDir("edge")
  const configFile = join(workDir, "bulwark.yaml")
  await writeFile(configFile, "audit: { flushInterval: 20 millis }\n")
  server = await startServer({ args: ["--config", configFile], env: { DATABASE_URL: database.url }, cwd: workDir })
})

afterAll(async () => {
  await stopAllServers()
  await dropDatabases()
  await removeTempDirs()
})

const ping = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" })

/** The audit records the edge wrote, newest last, once they are flushed. */
const records = async (where: string) => {
  await new Promise((resolve) => setTimeout(resolve, 200))
  return query(database.url, `SELECT method, outcome, rejected_by, error_code, reason FROM audit_log WHERE ${where}`)
}

/** Raw bytes on a connection of their own; resolves with the status and body. */
const rawBytes = (bytes: string) =>
  new Promise<{ status: number; contentType: string; body: string }>((resolve, reject) => {
    const socket = connect(server.port, "127.0.0.1", () => socket.write(bytes))
    let text = ""
    socket.setEncoding("utf8")
    socket.on("data", (chunk: string) => {
      text += chunk
    })
    socket.on("close", () => {
      const [head = "", body = ""] = text.split("\r\n\r\n")
      const contentType = /content-type: ([^\r\n]+)/i.exec(head)?.[1] ?? ""
      resolve({ status: Number(head.split(" ")[1]), contentType, body })
    })
    socket.on("error", reject)
  })

describe("the edge", () => {
  it("answers a Host with user information 400 with a JSON-RPC body, and audits it", async () => {
    const response = await rawRequest(server.mcpUrl, {
      method: "POST",
      headers: { ...legacyHeaders, host: "a@b" },
      body: ping
    })
    expect(response.status).toBe(400)
    expect(JSON.parse(response.body)).toEqual({
      jsonrpc: "2.0",
      error: { code: -32600, message: "Bad Request: Invalid Host header: user information is not allowed" },
      id: null
    })
    expect(await records("reason LIKE '%user information%'")).toEqual([
      {
        method: null,
        outcome: "rejected",
        rejected_by: "host",
        error_code: -32600,
        reason: "Invalid Host header: user information is not allowed"
      }
    ])
  })

  it("refuses a foreign Host on /metrics, /healthz and /readyz as on /mcp", async () => {
    for (const path of ["/metrics", "/healthz", "/readyz"]) {
      const refused = await rawRequest(new URL(path, server.baseUrl), {
        method: "GET",
        headers: { host: "evil.example" }
      })
      expect(refused.status, path).toBe(403)
      expect(JSON.parse(refused.body)).toMatchObject({
        error: { code: -32000, message: "Forbidden: Invalid Host: evil.example" }
      })
      const served = await rawRequest(new URL(path, server.baseUrl), { method: "GET", headers: {} })
      expect(served.status, path).toBe(200)
    }
    expect(await records("reason = 'Invalid Host: evil.example'")).toHaveLength(3)
  })

  it("refuses JSON-RPC batches under 2025-06-18 and later, and still takes them under 2025-03-26", async () => {
    const batch = JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "ping" }])
    for (const version of ["2025-06-18", "2025-11-25"]) {
      const refused = await rawRequest(server.mcpUrl, {
        method: "POST",
        headers: { ...legacyHeaders, "mcp-protocol-version": version },
        body: batch
      })
      expect(refused.status, version).toBe(400)
      expect(JSON.parse(refused.body)).toMatchObject({
        error: {
          code: -32600,
          message: expect.stringContaining(`protocol revision ${version} does not support JSON-RPC batches`)
        }
      })
    }
    const older = await rawRequest(server.mcpUrl, {
      method: "POST",
      headers: { ...legacyHeaders, "mcp-protocol-version": "2025-03-26" },
      body: batch
    })
    expect(older.status).toBe(200)
  })

  it("answers two Authorization or two Host headers 400 with a JSON-RPC body, never the first one alone", async () => {
    const twice = (name: string, first: string, second: string) =>
      rawBytes(
        `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n${name}: ${first}\r\n${name}: ${second}\r\n` +
          `Authorization: ${authHeaders.authorization}\r\n`.repeat(name === "Host" ? 1 : 0) +
          "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n" +
          `Content-Length: ${ping.length}\r\nConnection: close\r\n\r\n${ping}`
      )
    const authorization = await twice("Authorization", authHeaders.authorization!, "Bearer someone-else")
    const host = await twice("Host", "localhost", "evil.example")
    for (const [answer, header] of [
      [authorization, "Authorization"],
      [host, "Host"]
    ] as const) {
      expect(answer.status, header).toBe(400)
      expect(JSON.parse(answer.body)).toEqual({
        jsonrpc: "2.0",
        error: { code: -32600, message: `Bad Request: more than one ${header} header` },
        id: null
      })
    }
    expect(await records("reason LIKE 'more than one%'")).toHaveLength(2)
  })

  it("answers requests Node's parser refuses with a JSON-RPC body, and counts them into the audit", async () => {
    const duplicate = await rawBytes(
      `POST /mcp HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${authHeaders.authorization}\r\n` +
        `Content-Length: ${ping.length}\r\nContent-Length: 3\r\n\r\n${ping}`
    )
    const control = await rawBytes(
      `POST /mcp HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer a\u0001b\r\nContent-Length: ${ping.length}\r\n\r\n${ping}`
    )
    for (const answer of [duplicate, control]) {
      expect(answer.status).toBe(400)
      expect(answer.contentType).toBe("application/json")
      expect(JSON.parse(answer.body)).toEqual({
        jsonrpc: "2.0",
        error: { code: -32600, message: "Bad Request: malformed HTTP request" },
        id: null
      })
    }
    // Counted per address and kind, written once per window or at shutdown.
    expect((await stopServer(server)).code).toBe(0)
    const counted = await query(
      database.url,
      "SELECT reason, arguments FROM audit_log WHERE rejected_by = 'http' ORDER BY reason"
    )
    expect(counted).toEqual([
      {
        reason: "malformed HTTP request (HPE_INVALID_HEADER_TOKEN)",
        arguments: { count: 1, clientAddress: "127.0.0.1" }
      },
      {
        reason: "malformed HTTP request (HPE_UNEXPECTED_CONTENT_LENGTH)",
        arguments: { count: 1, clientAddress: "127.0.0.1" }
      }
    ])
  })
})
