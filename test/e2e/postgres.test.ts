/**
 * The postgres plugin on the bundled server, as the README sets it up: an analytics database with its reader role
 * (the README's statements), `plugins.postgres.databases` in the configuration, and an agent's session with the
 * official client: the databases it may use, two analytics queries, a refused write, and another tenant kept to its
 * own allow-list. A role that can write keeps the server from starting, with the reason.
 */
import { randomBytes } from "node:crypto"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { createDatabase, dropDatabases, type FreshDatabase, query } from "@bulwark/database/testing"
import { readerRole, sampleSchema, statementsOf } from "@bulwark/plugin-postgres"
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { closeAllClients, textOf } from "./support/clients.ts"
import { runServerToExit, type ServerProcess, startServer, stopAllServers } from "./support/server.ts"
import { modern, settled } from "./support/tasks.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"
import { createTenantKeys } from "./support/tenantKeys.ts"

let app: FreshDatabase
let shop: FreshDatabase
let role: string
let server: ServerProcess
let keys: Readonly<Record<string, string>>
let workDir: string

const configText = (url: string) =>
  [
    "plugins:",
    "  postgres:",
    "    databases:",
    `      - { name: shop, url: "${url}", description: "The web shop", maxRows: 100 }`,
    "tenancy:",
    "  tenants:",
    "    - { id: acme, name: Acme, tools: ['*'], resources: ['*'] }",
    "    - { id: globex, name: Globex, tools: [list_databases, query] }",
    ""
  ].join("\n")

beforeAll(async () => {
  app = await createDatabase("pgapp")
  shop = await createDatabase("pgshop")
  role = `bulwark_reader_${randomBytes(4).toString("hex")}`
  for (const statement of statementsOf(sampleSchema)) await query(shop.url, statement)
  for (const statement of statementsOf(readerRole(role, `"${shop.name}"`, ["public"]))) {
    await query(shop.url, statement)
  }
  const readerUrl = new URL(shop.url)
  readerUrl.username = role
  workDir = await makeTempDir("postgres")
  const configFile = join(workDir, "bulwark.yaml")
  await writeFile(configFile, configText(readerUrl.toString()))
  server = await startServer({ args: ["--config", configFile], env: { DATABASE_URL: app.url }, cwd: workDir })
  keys = await createTenantKeys(app.url, ["acme", "globex"])
}, 120_000)

afterAll(async () => {
  await closeAllClients()
  await stopAllServers()
  await dropDatabases()
  if (role !== undefined) await query(new URL("/postgres", shop.url).toString(), `DROP ROLE IF EXISTS ${role}`)
  await removeTempDirs()
})

const connect = async (tenant: string) => {
  const client = new Client({ name: "analyst", version: "1.0.0" })
  await client.connect(
    new StreamableHTTPClientTransport(server.mcpUrl, {
      requestInit: { headers: { authorization: `Bearer ${keys[tenant]}` } }
    })
  )
  return client
}

describe("an agent's session", () => {
  it("lists the database, runs two analytics queries, and is refused a write", async () => {
    const client = await connect("acme")
    try {
      const tools = (await client.listTools()).tools.map((tool) => tool.name)
      expect(tools).toEqual(
        expect.arrayContaining(["list_databases", "list_tables", "describe_table", "query", "explain_query"])
      )
      const databases = await client.callTool({ name: "list_databases", arguments: {} })
      expect(databases.structuredContent).toEqual({ databases: [{ name: "shop", description: "The web shop" }] })

      const revenue = await client.callTool({
        name: "query",
        arguments: {
          database: "shop",
          sql: `SELECT p.category, sum(o.quantity * p.price) AS revenue
                FROM orders o JOIN products p ON p.id = o.product_id
                WHERE o.status <> 'returned' GROUP BY 1 ORDER BY 2 DESC`
        }
      })
      expect(revenue.isError).toBeFalsy()
      const owner = await query(
        shop.url,
        `SELECT p.category, sum(o.quantity * p.price)::text AS revenue FROM orders o JOIN products p ON p.id = o.product_id
         WHERE o.status <> 'returned' GROUP BY 1 ORDER BY 2 DESC`
      )
      expect((revenue.structuredContent as { rows: unknown }).rows).toEqual(
        owner.map((row) => [row.category, row.revenue])
      )

      const monthly = await client.callTool({
        name: "query",
        arguments: {
          database: "shop",
          sql: `SELECT date_trunc('month', ordered_at)::date AS month, count(*) AS orders,
                  count(*) FILTER (WHERE status = 'returned') AS returned
                FROM orders WHERE ordered_at >= $1 GROUP BY 1 ORDER BY 1 LIMIT 3`,
          params: ["2026-01-01"]
        }
      })
      // The README shows this answer.
      expect(textOf(monthly as never)).toBe(
        "month (date) | orders (bigint) | returned (bigint)\n2026-01-01 | 238 | 47\n2026-02-01 | 216 | 44\n2026-03-01 | 239 | 47\n(3 rows)"
      )
      expect((monthly.structuredContent as { rowCount: number }).rowCount).toBe(3)

      const write = await client.callTool({
        name: "query",
        arguments: { database: "shop", sql: "WITH d AS (DELETE FROM orders RETURNING 1) SELECT count(*) FROM d" }
      })
      expect(write.isError).toBe(true)
      expect(textOf(write as never)).toContain("data-modifying WITH query")
      expect((await query(shop.url, "SELECT count(*)::int AS n FROM orders"))[0]?.n).toBe(2000)
    } finally {
      await client.close()
    }
  })

  it("keeps another tenant to the tools it was given", async () => {
    const client = await connect("globex")
    try {
      const tools = (await client.listTools()).tools.map((tool) => tool.name).sort()
      expect(tools).toEqual(["list_databases", "query"])
    } finally {
      await client.close()
    }
  })
})

describe("a long query, as a task", () => {
  it("runs in the background and is polled to its result", async () => {
    const created = await modern(server.mcpUrl, keys.acme as string, "tools/call", {
      name: "run_long_query",
      arguments: { database: "shop", sql: "SELECT status, count(*) AS n FROM orders GROUP BY 1 ORDER BY 1" }
    })
    expect(created.result?.resultType, JSON.stringify(created)).toBe("task")
    const done = await settled(server.mcpUrl, keys.acme as string, created.result?.taskId as string)
    expect(done?.status).toBe("completed")
    expect((done?.result as { structuredContent?: { rows: unknown } } | undefined)?.structuredContent?.rows).toEqual([
      ["delivered", 800],
      ["placed", 400],
      ["returned", 400],
      ["shipped", 400]
    ])
  })

  it("is cancelled in the database when its task is cancelled", async () => {
    const created = await modern(server.mcpUrl, keys.acme as string, "tools/call", {
      name: "run_long_query",
      arguments: { database: "shop", sql: "SELECT count(*) FROM events a, events b, events c" }
    })
    const taskId = created.result?.taskId as string
    const count = async (where: string) =>
      Number(
        (
          await query(
            shop.url,
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = '${role}' AND ${where}`
          )
        )[0]?.n
      )
    // The query runs (the cross join executes in the cursor's FETCH; the statements before it are quick), then the
    // task is cancelled, and the role is left with no statement running and no transaction open.
    const fetching = () => count(`state = 'active' AND query LIKE 'FETCH FORWARD%'`)
    const busy = () => count(`state <> 'idle'`)
    const startBy = Date.now() + 10_000
    while ((await fetching()) === 0 && Date.now() < startBy) await new Promise((resolve) => setTimeout(resolve, 100))
    expect(await fetching()).toBe(1)
    await modern(server.mcpUrl, keys.acme as string, "tasks/cancel", { taskId })
    expect((await settled(server.mcpUrl, keys.acme as string, taskId))?.status).toBe("cancelled")
    const stopBy = Date.now() + 5_000
    while ((await busy()) > 0 && Date.now() < stopBy) await new Promise((resolve) => setTimeout(resolve, 100))
    expect(await busy()).toBe(0)
  }, 30_000)
})

describe("start-up", () => {
  it("refuses to start on a role that can write, saying why", async () => {
    const file = join(workDir, "writer.yaml")
    await writeFile(file, configText(shop.url).replace("tenancy:", "http: { port: 0 }\ntenancy:"))
    const run = await runServerToExit(["--config", file], { DATABASE_URL: app.url }, workDir)
    expect(run.code).not.toBe(0)
    expect(run.stderr).toContain("The postgres plugin will not use database")
    expect(run.stderr).toContain("is a superuser")
  }, 60_000)
})
