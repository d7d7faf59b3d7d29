/**
 * The postgres plugin's tools, resource and completion through the real catalog and pipeline, as tenants: what each
 * tenant sees, results as structured content and text, refusals as tool errors an agent can act on, row-level
 * security across tenants, and the table resource with completion of its names.
 */
import { Catalog, type McpResult, makeRequest, Notifier, Pipeline } from "@bulwark/core"
import { Effect, Layer, ManagedRuntime, References } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { install } from "../src/index.ts"
import { type AnalyticsDatabase, configFor, createAnalyticsDatabase } from "./support/analyticsDatabase.ts"

let db: AnalyticsDatabase
let runtime: ManagedRuntime.ManagedRuntime<Pipeline.Pipeline, unknown>

beforeAll(async () => {
  db = await createAnalyticsDatabase("pgtools")
  const pipeline = Pipeline.layer().pipe(
    Layer.provide(Catalog.layerInstalled([install(configFor(db))])),
    Layer.provide(Notifier.none)
  )
  runtime = ManagedRuntime.make(Layer.merge(pipeline, Layer.succeed(References.MinimumLogLevel, "Error")))
}, 60_000)

afterAll(async () => {
  await runtime?.dispose()
  await db?.drop()
})

interface ToolResult {
  readonly isError?: boolean
  readonly structuredContent?: Record<string, unknown>
  readonly content: ReadonlyArray<{ readonly type: string; readonly text?: string }>
}

const send = (tenant: string, method: string, params: Record<string, unknown>) =>
  runtime.runPromise(
    Effect.flatMap(Pipeline.Pipeline, (pipeline) =>
      pipeline.handle(
        makeRequest(method, params, {
          principal: { tenantId: tenant, subject: `${tenant}-agent`, scopes: [], method: "api-key" }
        })
      )
    )
  )

const call = (tenant: string, name: string, args: Record<string, unknown>) =>
  send(tenant, "tools/call", { name, arguments: args }) as Promise<McpResult & ToolResult>

const rowsOf = (result: ToolResult) => (result.structuredContent as { rows: Array<Array<unknown>> }).rows

describe("what each tenant sees", () => {
  it("lists the databases a tenant may use, and none to another", async () => {
    const acme = await call("acme", "list_databases", {})
    expect(acme.structuredContent).toEqual({
      databases: [{ name: "shop", description: "The web shop: customers, products, orders, events" }]
    })
    expect((await call("initech", "list_databases", {})).structuredContent).toEqual({ databases: [] })
    const refused = await call("initech", "list_tables", { database: "shop" })
    expect(refused.isError).toBe(true)
    expect(refused.content[0]?.text).toContain('There is no database "shop"')
  })

  it("lists schemas and tables within the tenant's allow-list", async () => {
    const schemas = await call("acme", "list_schemas", { database: "shop" })
    expect(schemas.structuredContent).toEqual({ schemas: [{ name: "public", tables: 5 }] })
    const tables = (await call("globex", "list_tables", { database: "shop" })).structuredContent as {
      tables: Array<{ name: string; kind: string; rowEstimate: number }>
    }
    expect(tables.tables.map((table) => table.name)).toEqual(["products", "tenant_notes"])
    expect(tables.tables[0]).toMatchObject({ kind: "table", rowEstimate: 24 })
  })

  it("describes a table: columns, keys, indexes, comments", async () => {
    const described = (await call("acme", "describe_table", { database: "shop", table: "orders" }))
      .structuredContent as Record<string, unknown> & {
      columns: Array<{ name: string; type: string; nullable: boolean }>
      constraints: Array<{ definition: string }>
      indexes: Array<{ name: string }>
    }
    expect(described).toMatchObject({ schema: "public", name: "orders", rowEstimate: 2000 })
    expect(described.columns.map((column) => column.name)).toEqual([
      "id",
      "customer_id",
      "product_id",
      "quantity",
      "status",
      "ordered_at"
    ])
    expect(described.columns[5]).toMatchObject({ type: "timestamp with time zone", nullable: false })
    expect(described.constraints.map((constraint) => constraint.definition)).toContain(
      "FOREIGN KEY (customer_id) REFERENCES customers(id)"
    )
    expect(described.indexes.map((index) => index.name)).toContain("orders_customer")
    const customers = (await call("acme", "describe_table", { database: "shop", table: "public.customers" }))
      .structuredContent as { comment: string }
    expect(customers.comment).toBe("People who bought something, one row each")
    const hidden = await call("acme", "describe_table", { database: "shop", table: "payroll.salaries" })
    expect(hidden.isError).toBe(true)
    expect(hidden.content[0]?.text).toContain("not in your allow-list")
  })
})

describe("queries", () => {
  it("answers columns, rows and a compact table", async () => {
    const result = await call("acme", "query", {
      database: "shop",
      sql: "SELECT country, count(*) AS customers FROM customers WHERE country = ANY($1::text[]) GROUP BY 1 ORDER BY 1",
      params: ["{DE,FR}"]
    })
    expect(result.isError).toBeUndefined()
    expect(result.structuredContent).toEqual({
      columns: [
        { name: "country", type: "text" },
        { name: "customers", type: "bigint" }
      ],
      rows: [
        ["DE", 20],
        ["FR", 20]
      ],
      rowCount: 2,
      tables: ["public.customers"]
    })
    expect(result.content[0]?.text).toBe("country (text) | customers (bigint)\nDE | 20\nFR | 20\n(2 rows)")
  })

  it("says when a result was cut, and keeps it within the caps", async () => {
    const result = await call("acme", "query", { database: "shop", sql: "SELECT * FROM events" })
    expect(result.structuredContent).toMatchObject({ rowCount: 500, truncated: { by: "maxRows", limit: 500 } })
    expect(result.content[0]?.text).toContain("the result was cut at maxRows = 500")
  })

  it("refuses with the reason, as a tool error", async () => {
    const sleep = await call("acme", "query", { database: "shop", sql: "SELECT pg_sleep(5)" })
    expect(sleep.isError).toBe(true)
    expect(sleep.content[0]?.text).toContain("function pg_sleep is not allowed")
    const stacked = await call("acme", "query", { database: "shop", sql: "SELECT 1; DELETE FROM orders" })
    expect(stacked.content[0]?.text).toContain("only one statement is allowed")
    const payroll = await call("acme", "query", { database: "shop", sql: "SELECT * FROM payroll.salaries" })
    expect(payroll.content[0]?.text).toContain("schema payroll is not in this tenant's allow-list")
    const wrong = await call("acme", "query", { database: "shop", sql: "SELECT nope FROM orders" })
    expect(wrong.isError).toBe(true)
    expect(wrong.content[0]?.text).toContain('column "nope" does not exist')
  })

  it("keeps tenants to their own rows under row-level security", async () => {
    const sql = "SELECT id, note FROM tenant_notes ORDER BY id"
    expect(rowsOf(await call("acme", "query", { database: "shop", sql }))).toEqual([
      [1, "acme secret plan"],
      [2, "acme pricing"]
    ])
    expect(rowsOf(await call("globex", "query", { database: "shop", sql }))).toEqual([[3, "globex merger"]])
    const crafted = await call("globex", "query", {
      database: "shop",
      sql: "SELECT id FROM tenant_notes WHERE tenant_id IN ('acme', 'initech') OR true"
    })
    expect(rowsOf(crafted)).toEqual([[3]])
  })

  it("samples rows and explains queries", async () => {
    const sample = await call("globex", "sample_rows", { database: "shop", table: "products", limit: 3 })
    expect(rowsOf(sample).map((row) => row[0])).toEqual([1, 2, 3])
    const plan = await call("acme", "explain_query", {
      database: "shop",
      sql: "SELECT count(*) FROM orders WHERE customer_id = $1",
      params: [7],
      analyze: true
    })
    expect(JSON.stringify(plan.structuredContent)).toContain('"Actual Rows"')
  })
})

describe("the table resource", () => {
  it("reads a table's description and refuses what the tenant may not read", async () => {
    const read = (await send("acme", "resources/read", { uri: "postgres://shop/public/orders" })) as unknown as {
      contents: Array<{ text: string; mimeType: string }>
    }
    expect(JSON.parse(read.contents[0]!.text)).toMatchObject({ schema: "public", name: "orders" })
    const refused = await Effect.runPromiseExit(
      Effect.promise(() => send("globex", "resources/read", { uri: "postgres://shop/public/orders" }))
    )
    expect(refused._tag).toBe("Failure")
  })

  it("completes database, schema and table names", async () => {
    const complete = (name: string, value: string, tenant = "acme") =>
      send(tenant, "completion/complete", {
        ref: { type: "ref/resource", uri: "postgres://{database}/{schema}/{table}" },
        argument: { name, value }
      }) as Promise<unknown> as Promise<{ completion: { values: Array<string> } }>
    expect((await complete("database", "sh")).completion.values).toEqual(["shop"])
    expect((await complete("schema", "")).completion.values).toEqual(["public"])
    expect((await complete("table", "or")).completion.values).toEqual(["orders"])
    expect((await complete("table", "", "globex")).completion.values).toEqual(["products", "tenant_notes"])
  })
})
