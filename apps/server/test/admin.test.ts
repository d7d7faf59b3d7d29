/**
 * The admin API against the real services on a fresh PostgreSQL database: the server as `BulwarkServer.http`
 * composes it (the MCP listener and the admin listener over one `core`), each on a free port, driven over real
 * sockets.
 */
import { randomBytes } from "node:crypto"
import { createDatabase, dropDatabases, freePort } from "@bulwark/database/testing"
import { generateApiKey } from "@bulwark/identity"
import { Cause, type Context, Effect, Exit, Layer, Logger, Redacted, References, Schema, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { AdminServer } from "../src/admin/index.ts"
import * as BulwarkServer from "../src/compose/BulwarkServer.ts"
import { decodeConfig } from "../src/config/loadConfig.ts"
import { ServerConfig } from "../src/config/ServerConfig.ts"

const label = "admin"
const adminToken = randomBytes(32).toString("base64url")
const bootstrapKey = Redacted.value(generateApiKey().key)

/** Every log line the servers write, as JSON text. */
const logLines: Array<string> = []
const captureLogs = Layer.mergeAll(
  Logger.layer([Logger.map(Logger.formatJson, (line) => void logLines.push(line))]),
  Layer.succeed(References.MinimumLogLevel, "Debug")
)

let scope: Scope.Closeable
/** The services of the running server (its `core`), to build more admin listeners on. */
let services: Context.Context<Layer.Success<ReturnType<typeof BulwarkServer.core>>>
let adminUrl = ""
let mcpUrl = ""

beforeAll(async () => {
  const url = (await createDatabase(label)).url
  const [mcpPort, adminPort] = [await freePort(), await freePort()]
  adminUrl = `http://127.0.0.1:${adminPort}`
  mcpUrl = `http://127.0.0.1:${mcpPort}/mcp`
  const config = await Effect.runPromise(
    decodeConfig({
      database: { url, poolSize: 4 },
      http: { port: mcpPort, host: "127.0.0.1", shutdownGrace: "1 second" },
      admin: { enabled: true, port: adminPort, token: adminToken },
      bootstrapApiKey: bootstrapKey,
      audit: { flushInterval: "10 millis" },
      tenancy: { resyncInterval: "1 minute" }
    })
  )
  const app = BulwarkServer.http(config, { observability: captureLogs })
  scope = Effect.runSync(Scope.make())
  services = await Effect.runPromise(Layer.buildWithScope(app, scope))
})

afterAll(async () => {
  if (scope !== undefined) await Effect.runPromise(Scope.close(scope, Exit.void))
  await dropDatabases()
})

interface Answer {
  readonly status: number
  readonly text: string
  readonly json: Record<string, unknown>
  readonly headers: Headers
}

/** One admin request; `token` defaults to the right one, `null` sends none. */
const admin = async (
  method: string,
  path: string,
  options: { readonly body?: unknown; readonly raw?: string; readonly token?: string | null } = {}
): Promise<Answer> => {
  const token = options.token === undefined ? adminToken : options.token
  const response = await fetch(`${adminUrl}${path}`, {
    method,
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(options.body === undefined && options.raw === undefined ? {} : { "content-type": "application/json" })
    },
    ...(options.raw !== undefined
      ? { body: options.raw }
      : options.body === undefined
        ? {}
        : { body: JSON.stringify(options.body) })
  })
  const text = await response.text()
  return { status: response.status, text, json: JSON.parse(text) as Record<string, unknown>, headers: response.headers }
}

interface McpAnswer {
  readonly status: number
  readonly result?: { readonly tools?: ReadonlyArray<{ readonly name: string }> }
  readonly error?: { readonly code: number; readonly message: string }
}

/** `tools/list` on the MCP listener (a stateless 2025-11-25 request) with an API key. */
const listTools = async (key: string): Promise<McpAnswer> => {
  const response = await fetch(mcpUrl, {
    method: "POST",
    headers: {
      authorization: `Bearer ${key}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-11-25"
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" })
  })
  const text = await response.text()
  if (response.status !== 200) return { status: response.status }
  const payload = response.headers.get("content-type")?.includes("text/event-stream")
    ? (text
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5))
        .find((line) => line.includes('"id":1')) ?? "{}")
    : text
  return { status: response.status, ...(JSON.parse(payload) as Omit<McpAnswer, "status">) }
}

const toolNames = (answer: McpAnswer) => (answer.result?.tools ?? []).map((tool) => tool.name).sort()

const acme = {
  name: "Acme Corp",
  tools: ["fetch_user", "get_ticket"],
  limits: { rate: { requests: 100, per: "1 minute" } }
}

// Filled in as the tests run, in order (one server for the whole file).
let acmeKey = ""
let acmeKeyId = ""

describe("admin API", () => {
  it("refuses a missing, wrong or differently presented token with a bare 401, on every path", async () => {
    const cases: ReadonlyArray<readonly [string, string, string | null]> = [
      ["GET", "/admin/tenants", null],
      ["GET", "/admin/tenants", `${adminToken}x`],
      ["GET", "/admin/tenants", adminToken.slice(0, -1)],
      ["GET", "/admin/tenants", "short"],
      ["PUT", "/admin/switches", "x".repeat(64)],
      ["GET", "/admin/nothing-here", null],
      ["GET", "/", `${adminToken} ${adminToken}`]
    ]
    for (const [method, path, token] of cases) {
      const answer = await admin(method, path, { token })
      expect(answer.status, `${method} ${path}`).toBe(401)
      expect(answer.json).toEqual({ error: "unauthorized" })
      expect(answer.headers.get("www-authenticate")).toBe('Bearer realm="bulwark-admin"')
    }
    const basic = await fetch(`${adminUrl}/admin/tenants`, {
      headers: { authorization: `Basic ${Buffer.from(`admin:${adminToken}`).toString("base64")}` }
    })
    expect(basic.status).toBe(401)
    expect((await admin("GET", "/admin/nothing-here")).status).toBe(404)
  })

  it("creates a tenant with an allow-list, reads it back, and reports bad input with the field", async () => {
    const created = await admin("PUT", "/admin/tenants/acme", { body: acme })
    expect(created.status).toBe(201)
    expect(created.json.change).toMatchObject({ action: "created", tenantId: "acme", source: "admin", before: null })
    expect(created.headers.get("cache-control")).toBe("no-store")

    const again = await admin("PUT", "/admin/tenants/acme", { body: { ...acme, id: "acme" } })
    expect(again.status).toBe(200)
    expect(again.json.change).toMatchObject({ action: "unchanged" })

    const read = await admin("GET", "/admin/tenants/acme")
    expect(read.status).toBe(200)
    expect(read.json.tenant).toMatchObject({
      id: "acme",
      enabled: true,
      source: "admin",
      config: { id: "acme", name: "Acme Corp", tools: ["fetch_user", "get_ticket"] }
    })
    const listed = await admin("GET", "/admin/tenants")
    const ids = (listed.json.tenants as ReadonlyArray<{ id: string }>).map((tenant) => tenant.id)
    expect(ids).toEqual(["acme", "default"])

    const badLimit = await admin("PUT", "/admin/tenants/acme", {
      body: { ...acme, limits: { rate: { requests: 0, per: "1 minute" } } }
    })
    expect(badLimit.status).toBe(400)
    expect(badLimit.json).toMatchObject({
      error: "invalid_request",
      issues: [{ path: "limits.rate.requests", message: "Expected a value greater than 0" }]
    })
    const otherId = await admin("PUT", "/admin/tenants/acme", { body: { ...acme, id: "globex" } })
    expect(otherId.status).toBe(400)
    expect(otherId.json.issues).toEqual([{ path: "id", message: "Expected the tenant id of the path" }])
    const badId = await admin("PUT", "/admin/tenants/no%20spaces", { body: acme })
    expect(badId.status).toBe(400)
    expect((badId.json.issues as ReadonlyArray<{ path: string }>)[0]?.path).toBe("id")
    const notJson = await admin("PUT", "/admin/tenants/acme", { raw: "{name:" })
    expect(notJson.status).toBe(400)
    expect(notJson.json).toMatchObject({
      error: "invalid_request",
      issues: [{ path: "", message: "Expected a JSON document" }]
    })
    expect(notJson.text).not.toMatch(/at .*\.ts/)

    const missing = await admin("GET", "/admin/tenants/globex")
    expect(missing.status).toBe(404)
    expect(missing.json).toEqual({ error: "not_found", message: 'No tenant "globex"' })
    expect((await admin("POST", "/admin/tenants/globex/disable")).status).toBe(404)
  })

  it("changes limits and quotas with a merge patch", async () => {
    const patched = await admin("PATCH", "/admin/tenants/acme/limits", {
      body: { limits: { concurrency: { permits: 5 } }, quotas: { daily: 1000 } }
    })
    expect(patched.status).toBe(200)
    expect(patched.json.change).toMatchObject({
      action: "updated",
      after: {
        limits: { rate: { requests: 100, per: "60000 millis" }, concurrency: { permits: 5 } },
        quotas: { daily: 1000 }
      }
    })
    const removed = await admin("PATCH", "/admin/tenants/acme/limits", { body: { limits: { concurrency: null } } })
    expect((removed.json.change as { after: { limits: object } }).after.limits).not.toHaveProperty("concurrency")
    const wrong = await admin("PATCH", "/admin/tenants/acme/limits", { body: { tools: ["*"] } })
    expect(wrong.status).toBe(400)
    expect(wrong.json.issues).toEqual([
      { path: "tools", message: "Only limits and quotas can be patched here; use PUT" }
    ])
    const invalid = await admin("PATCH", "/admin/tenants/acme/limits", { body: { quotas: { daily: -1 } } })
    expect(invalid.status).toBe(400)
    expect((invalid.json.issues as ReadonlyArray<{ path: string }>)[0]?.path).toBe("quotas.daily")
  })

  it("creates an API key once; lists never show it; it reaches only the tenant's allowed tools on /mcp", async () => {
    const created = await admin("POST", "/admin/tenants/acme/keys", { body: { name: "ci", scopes: ["tickets:read"] } })
    expect(created.status).toBe(201)
    expect(created.json).toMatchObject({ tenantId: "acme", name: "ci", scopes: ["tickets:read"], status: "active" })
    acmeKey = created.json.key as string
    acmeKeyId = created.json.keyId as string
    expect(acmeKey).toMatch(/^bwk_[0-9a-f]{16}_/)
    expect(acmeKey).toContain(acmeKeyId)

    const listed = await admin("GET", "/admin/keys?tenant=acme")
    expect(listed.status).toBe(200)
    expect(listed.json.keys).toEqual([expect.objectContaining({ keyId: acmeKeyId, status: "active", revokedAt: null })])
    expect(listed.text).not.toContain(acmeKey.slice(acmeKeyId.length + 5))
    const all = await admin("GET", "/admin/keys")
    expect((all.json.keys as ReadonlyArray<{ tenantId: string }>).map((key) => key.tenantId).sort()).toEqual([
      "acme",
      "default"
    ])

    const tools = await listTools(acmeKey)
    expect(tools.status).toBe(200)
    expect(toolNames(tools)).toEqual(["fetch_user", "get_ticket"])
    // The default tenant allows everything: the allow-list above is what narrows acme.
    expect(toolNames(await listTools(bootstrapKey)).length).toBeGreaterThan(2)

    const unknownTenant = await admin("POST", "/admin/tenants/globex/keys", { body: { name: "ci" } })
    expect(unknownTenant.status).toBe(404)
    const noName = await admin("POST", "/admin/tenants/acme/keys", { body: { scopes: "all" } })
    expect(noName.status).toBe(400)
    expect(noName.json.issues).toEqual([
      { path: "name", message: "Missing key" },
      { path: "scopes", message: "Expected array" }
    ])
    const past = await admin("POST", "/admin/tenants/acme/keys", { body: { name: "old", expiresAt: "2001-01-01" } })
    expect(past.status).toBe(400)
    const hmac = await admin("POST", "/admin/tenants/acme/hmac", { body: { name: "robot" } })
    expect(hmac.status).toBe(409)
    expect(hmac.json.error).toBe("conflict")
  })

  it("sets a tool kill switch (listed, enforced on /mcp) and clears it", async () => {
    const set = await admin("PUT", "/admin/switches", {
      body: { kind: "tool", name: "fetch_user", reason: "vendor outage" }
    })
    expect(set.status).toBe(200)
    expect(set.json.change).toMatchObject({ action: "set", kind: "tool", name: "fetch_user", actor: "admin" })
    const listed = await admin("GET", "/admin/switches")
    expect(listed.json.switches).toEqual([
      expect.objectContaining({ kind: "tool", name: "fetch_user", reason: "vendor outage", actor: "admin" })
    ])
    expect(toolNames(await listTools(acmeKey))).toEqual(["get_ticket"])

    const perTenant = await admin("PUT", "/admin/switches", {
      body: { kind: "tool", name: "get_ticket", tenantId: "acme", reason: "x" }
    })
    expect(perTenant.status).toBe(400)
    expect((perTenant.json.issues as ReadonlyArray<{ path: string }>)[0]?.path).toBe("tenantId")
    const badKind = await admin("PUT", "/admin/switches", { body: { kind: "server", name: "x", reason: "x" } })
    expect(badKind.status).toBe(400)
    expect((badKind.json.issues as ReadonlyArray<{ path: string }>)[0]?.path).toBe("kind")

    const cleared = await admin("DELETE", "/admin/switches", { body: { kind: "tool", name: "fetch_user" } })
    expect(cleared.status).toBe(200)
    expect(cleared.json.change).toMatchObject({ action: "cleared", previous: { reason: "vendor outage" } })
    expect((await admin("GET", "/admin/switches")).json.switches).toEqual([])
    expect(toolNames(await listTools(acmeKey))).toEqual(["fetch_user", "get_ticket"])
  })

  it("invalidates a tenant's cached answers, by tag or all of them", async () => {
    const tagged = await admin("POST", "/admin/cache/invalidate", { body: { tenantId: "acme", tags: ["ticket:1"] } })
    expect(tagged.status).toBe(200)
    expect(tagged.json).toEqual({ invalidated: ["ticket:1"] })
    const all = await admin("POST", "/admin/cache/invalidate", { body: { tenantId: "acme" } })
    expect(all.json).toEqual({ invalidated: "all" })
    const missing = await admin("POST", "/admin/cache/invalidate", { body: { tags: ["x"] } })
    expect(missing.status).toBe(400)
    expect((missing.json.issues as ReadonlyArray<{ path: string }>)[0]?.path).toBe("tenantId")
  })

  it("lists the backends with their circuit, calls in flight and probe", async () => {
    const listed = await admin("GET", "/admin/backends")
    expect(listed.status).toBe(200)
    expect(listed.json.backends).toEqual([
      { name: "tickets-db", circuit: "closed", inFlight: 0, up: true },
      { name: "tickets-analytics", circuit: "closed", inFlight: 0 }
    ])
  })

  it("takes every tool that declares a backend out of service with a backend switch; refuses unknown names", async () => {
    // The tickets plugin's tools declare the backend `tickets-db`.
    const set = await admin("PUT", "/admin/switches", {
      body: { kind: "backend", name: "tickets-db", reason: "database failover" }
    })
    expect(set.status).toBe(200)
    expect(toolNames(await listTools(acmeKey))).toEqual([])
    // The reports plugin's tool reads through its own backend, and the job tools through none: they stay.
    expect(toolNames(await listTools(bootstrapKey))).toEqual([
      "generate_report",
      "job_cancel",
      "job_result",
      "job_status"
    ])
    const cleared = await admin("DELETE", "/admin/switches", { body: { kind: "backend", name: "tickets-db" } })
    expect(cleared.json.change).toMatchObject({ action: "cleared" })
    expect(toolNames(await listTools(acmeKey))).toEqual(["fetch_user", "get_ticket"])

    // A switch that names nothing this server has would switch nothing off: refused, naming what exists.
    for (const [kind, name, known] of [
      ["backend", "ticket-db", "tickets-db"],
      ["tool", "fetch_users", "fetch_user"],
      ["plugin", "ticket", "tickets"]
    ] as const) {
      const refused = await admin("PUT", "/admin/switches", { body: { kind, name, reason: "typo" } })
      expect(refused.status).toBe(400)
      const issue = (refused.json.issues as ReadonlyArray<{ path: string; message: string }>)[0]
      expect(issue?.path).toBe("name")
      expect(issue?.message).toContain(`No ${kind} is named "${name}"`)
      expect(issue?.message).toContain(known)
    }
    expect((await admin("GET", "/admin/switches")).json.switches).toEqual([])
  })

  it("disables and enables a tenant, with effect on /mcp", async () => {
    const disabled = await admin("POST", "/admin/tenants/acme/disable")
    expect(disabled.status).toBe(200)
    expect(disabled.json.change).toMatchObject({ action: "disabled", after: { enabled: false } })
    const refused = await listTools(acmeKey)
    expect(refused.error?.code).toBe(-32003)
    const enabled = await admin("POST", "/admin/tenants/acme/enable")
    expect(enabled.json.change).toMatchObject({ action: "updated", after: { enabled: true } })
    expect(toolNames(await listTools(acmeKey))).toEqual(["fetch_user", "get_ticket"])
  })

  it("revokes a key: /mcp refuses it within a second", async () => {
    const revoked = await admin("DELETE", `/admin/keys/${acmeKeyId}`)
    expect(revoked.status).toBe(200)
    expect(revoked.json.revoked).toMatchObject({ keyId: acmeKeyId, status: "revoked" })
    const started = Date.now()
    let status = 0
    while (Date.now() - started < 1000 && status !== 401) status = (await listTools(acmeKey)).status
    expect(status).toBe(401)
    expect((await admin("DELETE", "/admin/keys/0123456789abcdef")).status).toBe(404)
  })

  it("audits every change with principal admin, outcome and no secret; the chain verifies", async () => {
    const page = await admin("GET", "/admin/audit?limit=200")
    expect(page.status).toBe(200)
    const records = page.json.records as ReadonlyArray<{
      method: string
      target: string | null
      tenantId: string | null
      outcome: string
      rejectedBy: string | null
      principal: { subject: string } | null
    }>
    const admins = records.filter(
      (record) => record.method.startsWith("admin/") && record.method !== "admin/tenants.sync"
    )
    const successes = admins
      .filter((record) => record.outcome === "success")
      .map((record) => `${record.method} ${record.target}`)
    expect(successes).toEqual(
      expect.arrayContaining([
        "admin/tenants.put acme",
        "admin/tenants.limits acme",
        `admin/keys.create ${acmeKeyId}`,
        "admin/switches.set fetch_user",
        "admin/switches.clear fetch_user",
        "admin/tenants.disable acme",
        "admin/tenants.enable acme",
        `admin/keys.revoke ${acmeKeyId}`
      ])
    )
    for (const record of admins.filter((record) => record.outcome === "success")) {
      expect(record.principal?.subject).toBe("admin")
    }
    const rejected = admins.filter((record) => record.outcome === "rejected")
    expect(rejected.some((record) => record.rejectedBy === "authentication" && record.principal === null)).toBe(true)
    expect(rejected.some((record) => record.method === "admin/keys.create" && record.rejectedBy === "admin")).toBe(true)
    const created = admins.find((record) => record.method === "admin/keys.create" && record.outcome === "success")
    expect(created).toMatchObject({ tenantId: "acme", arguments: { name: "ci", scopes: ["tickets:read"] } })
    expect(page.text).not.toContain(acmeKey)
    expect(page.text).not.toContain(adminToken)

    const byTenant = await admin("GET", "/admin/audit?tenant=acme&outcome=success&limit=5")
    expect((byTenant.json.records as ReadonlyArray<unknown>).length).toBe(5)
    expect(byTenant.json.nextCursor).toEqual(expect.any(String))
    const next = await admin("GET", `/admin/audit?tenant=acme&limit=5&cursor=${byTenant.json.nextCursor as string}`)
    expect(next.status).toBe(200)
    const badQuery = await admin("GET", "/admin/audit?limit=5000&outcome=maybe&from=yesterday")
    expect(badQuery.status).toBe(400)
    expect((badQuery.json.issues as ReadonlyArray<{ path: string }>).map((issue) => issue.path).sort()).toEqual([
      "from",
      "limit",
      "outcome"
    ])

    const verified = await admin("GET", "/admin/audit/verify")
    expect(verified.status).toBe(200)
    expect(verified.json).toMatchObject({ ok: true })
    expect(verified.json.checked).toBeGreaterThan(10)
  })

  it("never writes the admin token or a created key to the logs", () => {
    expect(logLines.length).toBeGreaterThan(0)
    const all = logLines.join("\n")
    expect(all).toContain("Bulwark admin API listening on")
    expect(all).not.toContain(adminToken)
    expect(all).not.toContain(acmeKey)
  })

  it("refuses an oversized body with a 400", async () => {
    const huge = await admin("PUT", "/admin/tenants/acme", { raw: JSON.stringify({ name: "x".repeat(2_000_000) }) })
    expect(huge.status).toBe(400)
    expect(huge.json.error).toBe("invalid_request")
  })

  it("listens nowhere when disabled, and will not start enabled without a token", async () => {
    const port = await freePort()
    const build = (admin: object) =>
      Layer.buildWithScope(AdminServer.layer(Schema.decodeUnknownSync(ServerConfig)({ admin })), scope).pipe(
        Effect.provideContext(services),
        Effect.runPromiseExit
      )
    expect(Exit.isSuccess(await build({ port, token: adminToken }))).toBe(true)
    await expect(fetch(`http://127.0.0.1:${port}/admin/tenants`)).rejects.toThrow()
    const noToken = await build({ enabled: true, port })
    expect(Exit.isFailure(noToken) && Cause.pretty(noToken.cause)).toContain("set BULWARK_ADMIN_TOKEN")
  })
})
