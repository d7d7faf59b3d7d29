/**
 * Three tenants (and a rate-limited fourth) side by side in the bundled server on the real PostgreSQL, each with its own key, allow-list and
 * limits: what each sees, cross-tenant probes on every tickets tool and resource, a rate limit with exact counts
 * (in-band with Retry-After at the HTTP edge, read by the official client in both eras), the same limit shared by two server processes through Redis, and a
 * configuration change applied on SIGHUP without a restart.
 */
import { randomBytes } from "node:crypto"
import { rename, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { createDatabase, dropDatabases, type FreshDatabase, query } from "@bulwark/database/testing"
import { ProtocolError, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { closeAllClients, makeClient, negotiations } from "./support/clients.ts"
import { type ServerProcess, startServer, stopAllServers } from "./support/server.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"
import { callAs, createTenantKeys } from "./support/tenantKeys.ts"

const run = randomBytes(4).toString("hex")
/** Unique per run: the shared Redis keeps rate-limit buckets across runs. */
const limited = `limited-${run}`
/** Rate-limited tenants the official client uses, one per protocol era. */
const clientLimited = { auto: `client-auto-${run}`, legacy: `client-legacy-${run}` } as const

const tenantsYaml = (globexTools: ReadonlyArray<string>) => `
tenancy:
  tenants:
    - id: acme
      name: Acme
      tools: ["*"]
      resources: ["*"]
      prompts: ["*"]
    - id: globex
      name: Globex (read-only)
      tools: [${globexTools.join(", ")}]
      resources: ["ticket://{id}"]
      prompts: []
    - id: initech
      name: Initech
      tools: ["*"]
      resources: []
      prompts: []
    - id: ${limited}
      name: Rate limited
      tools: ["*"]
      limits:
        rate: { requests: 6, per: 1 minute }
${Object.values(clientLimited)
  .map(
    (id) =>
      `    - id: ${id}\n      name: ${id}\n      tools: ["*"]\n      limits:\n        rate: { requests: 3, per: 1 minute }\n`
  )
  .join("")}`

let database: FreshDatabase
let configFile: string
let server: ServerProcess
let keys: Readonly<Record<string, string>>
let acmeUser: number
let acmeTicket: number

const tool = (tenant: string, name: string, args: Record<string, unknown>, target = server) =>
  callAs(target.mcpUrl, keys[tenant]!, "tools/call", { name, arguments: args })

beforeAll(async () => {
  database = await createDatabase("tenancy")
  const dir = await makeTempDir("tenancy")
  configFile = join(dir, "bulwark.yaml")
  await writeFile(configFile, tenantsYaml(["fetch_user", "get_ticket", "list_tickets"]))
  server = await startServer({ args: ["--config", configFile], env: { DATABASE_URL: database.url }, cwd: dir })
  keys = await createTenantKeys(database.url, ["acme", "globex", "initech", limited, ...Object.values(clientLimited)])
  const [user] = await query(
    database.url,
    "INSERT INTO users (tenant_id, email, name) VALUES ('acme', 'wile@acme.test', 'Wile E.') RETURNING id"
  )
  acmeUser = Number(user!.id)
  const created = await tool("acme", "create_ticket", { title: "Acme only", reporterId: acmeUser })
  acmeTicket = Number((created.message.result!.structuredContent as { id: number }).id)
})

afterAll(async () => {
  await closeAllClients()
  await stopAllServers()
  await dropDatabases()
  await removeTempDirs()
})

describe("three tenants side by side", () => {
  it("each sees only what its allow-list grants", async () => {
    const names = async (tenant: string) =>
      ((await callAs(server.mcpUrl, keys[tenant]!, "tools/list")).message.result!.tools as Array<{ name: string }>)
        .map((t) => t.name)
        .sort()
    // Six tickets tools, the reports tool and the three job tools.
    expect(await names("acme")).toHaveLength(10)
    expect(await names("globex")).toEqual(["fetch_user", "get_ticket", "list_tickets"])
    const globexPrompts = await callAs(server.mcpUrl, keys.globex!, "prompts/list")
    expect(globexPrompts.message.result?.prompts).toEqual([])
  })

  it("refuses a tool outside the allow-list, whatever the client sends", async () => {
    const refused = await tool("globex", "create_ticket", { title: "nope", reporterId: acmeUser })
    expect(refused.message.error).toMatchObject({ code: -32003, message: 'Tool "create_ticket" is not available' })
    // A tenant without resources reads one: answered as a resource that does not exist (on this wire SEP-2164's
    // -32602 with the URI in data), so it cannot tell "not allowed" from "not there".
    const notAllowed = await callAs(server.mcpUrl, keys[limited]!, "resources/read", {
      uri: `ticket://${acmeTicket}`
    })
    const nonexistent = await callAs(server.mcpUrl, keys.acme!, "resources/read", { uri: "nothing://here" })
    expect(notAllowed.message.error?.code).toBe(nonexistent.message.error?.code)
    expect(notAllowed.message.error?.data).toEqual({ uri: `ticket://${acmeTicket}` })
  })

  it("never lets another tenant read, change or learn of a ticket (every tool and the resource)", async () => {
    const notFound = `Ticket ${acmeTicket} does not exist`
    const probes = [
      await tool("globex", "get_ticket", { id: acmeTicket }),
      await tool("initech", "get_ticket", { id: acmeTicket }),
      await tool("initech", "update_ticket_status", { id: acmeTicket, status: "closed" }),
      await tool("initech", "add_comment", { ticketId: acmeTicket, authorId: acmeUser, body: "hi" })
    ]
    for (const probe of probes) {
      expect(probe.message.result?.isError, JSON.stringify(probe.message)).toBe(true)
      expect(JSON.stringify(probe.message.result?.content)).toContain(notFound)
    }
    // Nor use another tenant's user in its own writes.
    const borrowed = await tool("initech", "create_ticket", { title: "borrowed reporter", reporterId: acmeUser })
    expect(borrowed.message.result?.isError).toBe(true)
    expect(JSON.stringify(borrowed.message.result?.content)).toContain(String(acmeUser))
    const userProbe = await tool("globex", "fetch_user", { id: acmeUser })
    expect(userProbe.message.result?.isError).toBe(true)
    const listed = await tool("globex", "list_tickets", {})
    expect((listed.message.result!.structuredContent as { tickets: Array<unknown> }).tickets).toEqual([])
    const read = await callAs(server.mcpUrl, keys.globex!, "resources/read", { uri: `ticket://${acmeTicket}` })
    expect(read.message.error?.message).toContain(notFound)
    const completion = await callAs(server.mcpUrl, keys.globex!, "completion/complete", {
      ref: { type: "ref/resource", uri: "ticket://{id}" },
      argument: { name: "id", value: "" }
    })
    expect((completion.message.result!.completion as { values: Array<string> }).values).not.toContain(
      String(acmeTicket)
    )
    // The ticket is untouched for its owner.
    const own = await tool("acme", "get_ticket", { id: acmeTicket })
    expect(own.message.result?.structuredContent).toMatchObject({ id: acmeTicket, status: "open", comments: [] })
  })
})

describe("rate limits", () => {
  it("lets exactly the limit through, then answers in-band with Retry-After and names the limit", async () => {
    const answers = []
    for (let i = 0; i < 7; i++) answers.push(await tool(limited, "list_tickets", {}))
    expect(answers.slice(0, 6).map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200])
    const refused = answers[6]!
    expect(refused.status).toBe(200)
    expect(Number(refused.retryAfter)).toBeGreaterThan(0)
    expect(refused.message.error).toMatchObject({ code: -32029, data: { limit: "tenant rate" } })
    // Another tenant is not affected.
    expect((await tool("acme", "list_tickets", {})).status).toBe(200)
  })

  for (const mode of negotiations) {
    it(`reaches the official client as a JSON-RPC error with the code and retryAfterMs (${mode} negotiation)`, async () => {
      const tenant = clientLimited[mode]
      const client = makeClient(mode)
      await client.connect(
        new StreamableHTTPClientTransport(server.mcpUrl, {
          requestInit: { headers: { authorization: `Bearer ${keys[tenant]}` } }
        })
      )
      try {
        // initialize (legacy) and tools/list count too: call until refused, at most a few times past the limit.
        let refused: unknown
        for (let i = 0; i < 5 && refused === undefined; i++) {
          refused = await client
            .callTool({ name: "list_tickets", arguments: {} })
            .then(() => undefined)
            .catch((error: unknown) => error)
        }
        expect(refused).toBeInstanceOf(ProtocolError)
        const error = refused as ProtocolError
        expect(error.code).toBe(-32029)
        expect((error.data as { retryAfterMs?: number }).retryAfterMs).toBeGreaterThan(0)
      } finally {
        await client.close()
      }
    })
  }

  it("counts requests to two server processes sharing Redis against one limit", async () => {
    const shared = `shared-${run}`
    const db = await createDatabase("tenancy_redis")
    const dir = await makeTempDir("tenancy-redis")
    const file = join(dir, "bulwark.yaml")
    await writeFile(
      file,
      `tenancy:\n  tenants:\n    - id: ${shared}\n      name: Shared\n      tools: ["*"]\n      limits:\n        rate: { requests: 6, per: 1 minute }\n`
    )
    const env = { DATABASE_URL: db.url, REDIS_URL: "redis://127.0.0.1:6379" }
    const [a, b] = await Promise.all([
      startServer({ args: ["--config", file], env, cwd: dir }),
      startServer({ args: ["--config", file], env, cwd: dir })
    ])
    const sharedKeys = await createTenantKeys(db.url, [shared])
    const call = (target: ServerProcess) =>
      callAs(target.mcpUrl, sharedKeys[shared]!, "tools/call", { name: "list_tickets", arguments: {} })
    const codes = []
    for (const target of [a!, b!, a!, b!, a!, b!, a!, b!]) codes.push((await call(target)).message.error?.code ?? "ok")
    expect(codes).toEqual(["ok", "ok", "ok", "ok", "ok", "ok", -32029, -32029])
  })
})

describe("configuration changes", () => {
  it("applies a new allow-list on SIGHUP without a restart, and audits refusals by stage", async () => {
    await writeFile(configFile, tenantsYaml(["fetch_user", "get_ticket", "list_tickets", "add_comment"]))
    server.child.kill("SIGHUP")
    let tools: Array<{ name: string }> = []
    for (let attempt = 0; attempt < 40; attempt++) {
      tools = (await callAs(server.mcpUrl, keys.globex!, "tools/list")).message.result?.tools as Array<{ name: string }>
      if (tools.some((t) => t.name === "add_comment")) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(tools.map((t) => t.name)).toContain("add_comment")
    const rows = await query(
      database.url,
      "SELECT DISTINCT rejected_by FROM audit_log WHERE outcome = 'rejected' ORDER BY rejected_by"
    )
    expect(rows.map((row) => row.rejected_by)).toEqual(expect.arrayContaining(["authorization", "rate-limit"]))
  })

  it("applies a change saved the way editors save (write a new file, rename it over the old) without a signal", async () => {
    const staged = `${configFile}.tmp`
    await writeFile(staged, tenantsYaml(["fetch_user", "get_ticket"]))
    await rename(staged, configFile)
    let tools: Array<{ name: string }> = []
    for (let attempt = 0; attempt < 50; attempt++) {
      tools = (await callAs(server.mcpUrl, keys.globex!, "tools/list")).message.result!.tools as Array<{ name: string }>
      if (tools.length === 2) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(tools.map((t) => t.name).sort()).toEqual(["fetch_user", "get_ticket"])
  })
})
