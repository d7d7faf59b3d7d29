/**
 * The edge under a seeded storm of malformed, hostile and ordinary requests (both protocol eras, every route), sent
 * to the bundled server on a real PostgreSQL. Each request is drawn from a kind with the statuses it may get; the
 * test asserts: no 5xx, every answer with a body is JSON (a JSON-RPC message, or the OAuth error document of a 401),
 * every status one its kind allows, the server still serving and its memory bounded, and, once it has stopped, one
 * audit record per request (refusals that come in floods, counted into one record with their number, count as
 * many). The figures by status are printed for the record.
 */
import { writeFile } from "node:fs/promises"
import { Agent, request } from "node:http"
import { connect } from "node:net"
import { join } from "node:path"
import { createDatabase, dropDatabases, type FreshDatabase, query } from "@bulwark/database/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { authHeaders } from "./support/credentials.ts"
import { type ServerProcess, startServer, stopAllServers, stopServer } from "./support/server.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"

const REQUESTS = 3000
const SEED = 20261130
const maxBodyBytes = 16_384

let database: FreshDatabase
let server: ServerProcess

beforeAll(async () => {
  database = await createDatabase("fuzz")
  const workDir = await makeTempDir("fuzz")
  const configFile = join(workDir, "bulwark.yaml")
  await writeFile(
    configFile,
    [
      `http: { maxBodyBytes: ${maxBodyBytes} }`,
      "identity: { failedLogins: { max: 20, per: 1 minute } }",
      "accessLog: { mode: none }",
      "audit: { flushInterval: 20 millis }",
      ""
    ].join("\n")
  )
  server = await startServer({ args: ["--config", configFile], env: { DATABASE_URL: database.url }, cwd: workDir })
})

afterAll(async () => {
  await stopAllServers()
  await dropDatabases()
  await removeTempDirs()
})

/** mulberry32: a small seeded generator, so that a failure can be replayed. */
const generator = (seed: number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** One request to send: over HTTP, or raw bytes on a socket of its own. */
type Shot =
  | {
      readonly kind: string
      readonly method: string
      readonly path: string
      readonly headers: Readonly<Record<string, string>>
      readonly body?: string
      readonly allowed: ReadonlyArray<number>
      /** Sent from another loopback address (another client: the one whose failed logins get throttled). */
      readonly from?: string
    }
  | { readonly kind: string; readonly raw: string; readonly allowed: ReadonlyArray<number> }

const modernMeta = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "fuzz", version: "1.0.0" },
  "io.modelcontextprotocol/clientCapabilities": {}
}

const make = (random: () => number) => {
  const pick = <A>(items: ReadonlyArray<A>): A => items[Math.floor(random() * items.length)] as A
  const junk = (): unknown =>
    pick<() => unknown>([
      () => null,
      () => Math.floor(random() * 1e9) - 5e8,
      () => random(),
      () => "x".repeat(Math.floor(random() * 50)),
      () => "nul\u0000byte",
      () => [junk(), junk()],
      () => ({ [pick(["a", "id", "__proto__", "constructor", "uri", "name"])]: junk() }),
      () => true
    ])()

  /** A JSON-RPC request in one era, with its headers. */
  const rpc = (method: string, params: Record<string, unknown>, modern = random() < 0.5, auth = authHeaders) => {
    const named =
      typeof params.name === "string" ? params.name : typeof params.uri === "string" ? params.uri : undefined
    // A header carries printable ASCII only (a client cannot send the rest).
    const name = named !== undefined && /^[\x20-\x7e]+$/.test(named) ? named : undefined
    return {
      method: "POST",
      path: "/mcp",
      headers: {
        ...auth,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": modern ? "2026-07-28" : "2025-11-25",
        ...(modern ? { "mcp-method": method, ...(name === undefined ? {} : { "mcp-name": name }) } : {})
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: Math.floor(random() * 1e6),
        method,
        params: modern ? { ...params, _meta: modernMeta } : params
      })
    }
  }

  const kinds: ReadonlyArray<readonly [number, () => Shot]> = [
    [
      10,
      () => ({ kind: "tool call", ...rpc("tools/call", { name: "fetch_user", arguments: { id: 1 } }), allowed: [200] })
    ],
    [
      5,
      () => ({
        kind: "list",
        ...rpc(pick(["tools/list", "prompts/list", "resources/templates/list"]), {}),
        allowed: [200]
      })
    ],
    [
      8,
      () => ({
        kind: "bad arguments",
        ...rpc("tools/call", {
          name: pick(["fetch_user", "create_ticket", "get_ticket"]),
          arguments: { [pick(["id", "email", "title", "x"])]: junk() }
        }),
        allowed: [200]
      })
    ],
    [
      8,
      () => ({
        kind: "bad params",
        ...rpc(pick(["resources/read", "prompts/get", "completion/complete", "tools/call"]), {
          uri: junk(),
          name: junk()
        }),
        allowed: [200, 400]
      })
    ],
    [
      4,
      () => ({
        kind: "unknown method",
        ...rpc(pick(["nope", "tools/delete", "rpc.discover", ""]), {}),
        allowed: [200, 400, 404]
      })
    ],
    [
      3,
      () => ({
        kind: "notification",
        ...rpc("notifications/cancelled", { requestId: 1 }, false),
        body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 1 } }),
        allowed: [202]
      })
    ],
    [
      6,
      () => ({
        kind: "not JSON",
        ...rpc("ping", {}),
        body: pick(["{", "[1,", "nul\u0000", '{"jsonrpc":"2.0"', "\uFFFF", "]"]),
        allowed: [400]
      })
    ],
    [4, () => ({ kind: "JSON, not a message", ...rpc("ping", {}), body: JSON.stringify(junk()), allowed: [200, 400] })],
    [
      3,
      () => ({
        kind: "batch",
        ...rpc("ping", {}, false),
        body: JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "ping" }]),
        allowed: [400]
      })
    ],
    [
      4,
      () => ({
        kind: "wrong content type",
        ...rpc("ping", {}),
        headers: { ...authHeaders, "content-type": pick(["text/plain", "application/xml", ""]) },
        allowed: [415]
      })
    ],
    [
      3,
      () => ({
        kind: "no accept",
        ...rpc("tools/list", {}, false),
        headers: { ...authHeaders, "content-type": "application/json", "mcp-protocol-version": "2025-11-25" },
        allowed: [406]
      })
    ],
    [
      3,
      () => ({
        kind: "other HTTP method",
        method: pick(["GET", "DELETE", "PUT", "PATCH"]),
        path: "/mcp",
        headers: { ...authHeaders, accept: "application/json, text/event-stream" },
        allowed: [400, 404, 405, 406]
      })
    ],
    [
      3,
      () => ({
        kind: "too large",
        ...rpc("tools/call", { name: "create_ticket", arguments: { title: "x".repeat(maxBodyBytes), reporterId: 1 } }),
        allowed: [413]
      })
    ],
    [
      4,
      () => {
        const shot = rpc("tools/call", { name: "fetch_user", arguments: { id: 1 } }, true)
        return {
          kind: "header mismatch",
          ...shot,
          headers: { ...shot.headers, "mcp-name": "create_ticket" },
          allowed: [400]
        }
      }
    ],
    [
      5,
      () => ({
        kind: "bad credential",
        ...rpc("ping", {}, random() < 0.5, {
          authorization: `Bearer ${pick(["bwk_x", "nope", "bwk_0123456789abcdef_wrong"])}`
        }),
        allowed: [401, 429],
        from: "127.0.0.3"
      })
    ],
    [
      3,
      () => ({ kind: "no credential", ...rpc("ping", {}, random() < 0.5, {}), allowed: [401, 429], from: "127.0.0.3" })
    ],
    [
      3,
      () => ({
        kind: "foreign host",
        ...rpc("ping", {}),
        headers: { ...rpc("ping", {}).headers, host: pick(["evil.example", "a@b", "localhost:x", "127.0.0.1@evil"]) },
        allowed: [400, 403]
      })
    ],
    [
      2,
      () => ({
        kind: "foreign origin",
        ...rpc("ping", {}),
        headers: { ...rpc("ping", {}).headers, origin: pick(["https://evil.example", "null"]) },
        allowed: [400, 403]
      })
    ],
    [
      2,
      () => ({
        kind: "other routes, foreign host",
        method: "GET",
        path: pick(["/metrics", "/healthz", "/readyz", "/nope"]),
        headers: { host: "evil.example" },
        allowed: [403]
      })
    ],
    [
      2,
      () => ({
        kind: "malformed HTTP",
        raw: pick([
          "GARBAGE\r\n\r\n",
          "POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
          "POST /mcp HTTP/1.1\r\nHost: localhost\r\nX-Bad\u0001: 1\r\n\r\n"
        ]),
        allowed: [400]
      })
    ]
  ]
  const total = kinds.reduce((sum, [weight]) => sum + weight, 0)
  return (): Shot => {
    let roll = random() * total
    for (const [weight, shot] of kinds) {
      roll -= weight
      if (roll < 0) return shot()
    }
    return kinds[0]![1]()
  }
}

interface Answer {
  readonly status: number
  readonly body: string
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 })

const fire = (shot: Shot): Promise<Answer> =>
  new Promise((resolve, reject) => {
    if ("raw" in shot) {
      const socket = connect(server.port, "127.0.0.1", () => socket.write(shot.raw))
      let text = ""
      socket.setEncoding("utf8")
      socket.on("data", (chunk: string) => {
        text += chunk
      })
      socket.on("close", () => {
        const [head = "", body = ""] = text.split("\r\n\r\n")
        resolve({ status: Number(head.split(" ")[1]), body })
      })
      socket.on("error", reject)
      return
    }
    const req = request(
      new URL(shot.path, server.baseUrl),
      {
        method: shot.method,
        headers: { ...shot.headers },
        ...(shot.from === undefined ? { agent } : { localAddress: shot.from, agent: false })
      },
      (res) => {
        let body = ""
        res.setEncoding("utf8")
        res.on("data", (chunk: string) => {
          body += chunk
        })
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }))
      }
    )
    req.on("error", reject)
    req.end(shot.body)
  })

/** The JSON of a body: plain, or the message in an event stream's `data:` line. */
const jsonOf = (body: string): unknown => {
  const data = body.split("\n").find((line) => line.startsWith("data:"))
  return JSON.parse(data === undefined ? body : data.slice(5))
}

const rssMiB = async (pid: number): Promise<number> => {
  const { readFile } = await import("node:fs/promises")
  const status = await readFile(`/proc/${pid}/status`, "utf8")
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
}

describe("a seeded storm at the edge", () => {
  it(`answers ${REQUESTS} requests with a JSON body and an allowed status each, and audits every one`, async () => {
    const next = make(generator(SEED))
    const shots = Array.from({ length: REQUESTS }, next)
    const byStatus = new Map<number, number>()
    const wrong: Array<string> = []
    let cursor = 0
    const worker = async () => {
      while (cursor < shots.length) {
        const shot = shots[cursor++]!
        const answer = await fire(shot)
        byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1)
        if (!shot.allowed.includes(answer.status))
          wrong.push(`${shot.kind}: ${answer.status} ${answer.body.slice(0, 200)}`)
        if (answer.status === 202 && answer.body === "") continue
        try {
          jsonOf(answer.body)
        } catch {
          wrong.push(`${shot.kind}: ${answer.status} with a body that is not JSON: ${answer.body.slice(0, 200)}`)
        }
      }
    }
    await Promise.all(Array.from({ length: 8 }, worker))
    agent.destroy()
    console.info(
      `fuzz: ${REQUESTS} requests by status: ${[...byStatus]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}: ${n}`)
        .join(", ")}`
    )
    expect(wrong.slice(0, 20)).toEqual([])
    expect([...byStatus.keys()].filter((status) => status >= 500)).toEqual([])

    // Still serving, with bounded memory.
    expect((await fetch(new URL("/healthz", server.baseUrl))).status).toBe(200)
    const rss = await rssMiB(server.child.pid!)
    console.info(`fuzz: server RSS after the storm ${rss.toFixed(0)} MiB`)
    expect(rss).toBeLessThan(400)

    // One audit record per request, once the server has written its last (counted) records; the server's own
    // start-up action (syncing the configured tenants) is audited too, and is not a request.
    expect((await stopServer(server)).code).toBe(0)
    const rows = await query(
      database.url,
      `SELECT coalesce(sum(CASE WHEN rejected_by IN ('throttle', 'http', 'admission')
                                THEN (arguments->>'count')::int ELSE 1 END), 0)::int AS n
       FROM audit_log WHERE method IS DISTINCT FROM 'admin/tenants.sync'`
    )
    expect(rows[0]?.n).toBe(REQUESTS)
  }, 120_000)
})
