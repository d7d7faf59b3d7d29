/**
 * The postgres plugin with every defence on, against a real PostgreSQL: the attack corpus is refused, capped or
 * scoped as each case says and the database is unchanged afterwards; the accepted queries return what PostgreSQL
 * returns their owner.
 */
import { query } from "@bulwark/database/testing"
import { ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { layer } from "../src/index.ts"
import { toJson } from "../src/target/values.ts"
import { accepted } from "./corpus/accepted.ts"
import { attacks } from "./corpus/attacks.ts"
import { type AnalyticsDatabase, checksum, configFor, createAnalyticsDatabase } from "./support/analyticsDatabase.ts"
import { type Databases, runAs } from "./support/run.ts"

let db: AnalyticsDatabase
let databases: Databases
let before: string

beforeAll(async () => {
  db = await createAnalyticsDatabase("pgguard")
  // Built once for the file: one pool, as the plugin runs.
  databases = ManagedRuntime.make(layer(configFor(db)))
  before = await checksum(db)
}, 60_000)

afterAll(async () => {
  await databases?.dispose()
  await db?.drop()
})

describe("the attack corpus", () => {
  it("has at least 60 cases", () => {
    expect(attacks.length).toBeGreaterThanOrEqual(60)
  })

  for (const attack of attacks) {
    it(`${attack.expect}: ${attack.name}`, async () => {
      const tenant = attack.tenant ?? "acme"
      const outcome = await runAs(databases, tenant, attack.sql, attack.params ?? [])
      switch (attack.expect) {
        case "parser":
        case "scope":
          expect(outcome).toMatchObject({ _tag: "refused", layer: attack.expect })
          break
        case "failed":
          expect(outcome).toMatchObject({ _tag: "failed" })
          break
        case "capped":
          expect(outcome._tag).toBe("ran")
          if (outcome._tag === "ran") expect(outcome.result.truncated).toBeDefined()
          break
        case "rls":
          expect(outcome._tag).toBe("ran")
          // Only the tenant's own rows, whatever the query asks for (none, when it asks only for another's).
          if (outcome._tag === "ran") for (const row of outcome.result.rows) expect(row[1]).toBe(tenant)
          break
      }
      if (attack.says !== undefined && "message" in outcome) expect(outcome.message).toContain(attack.says)
    }, 20_000)
  }

  it("left the database unchanged", async () => {
    expect(await checksum(db)).toBe(before)
  })
})

describe("accepted queries", () => {
  for (const query_ of accepted) {
    it(query_.name, async () => {
      const outcome = await runAs(databases, "acme", query_.sql, query_.params ?? [])
      expect(outcome._tag).toBe("ran")
      if (outcome._tag !== "ran") return
      const owner = await query(db.ownerUrl, (query_.literal ?? query_.sql).replace(/;\s*--.*$/, ""))
      expect(outcome.result.rows).toEqual(owner.map((row) => Object.values(row).map(toJson)))
      expect(outcome.result.truncated).toBeUndefined()
    }, 20_000)
  }

  it("names the tables a query read, and the column types", async () => {
    const outcome = await runAs(
      databases,
      "acme",
      "SELECT o.id, c.country, o.ordered_at FROM orders o JOIN customers c ON c.id = o.customer_id LIMIT 1"
    )
    expect(outcome).toMatchObject({
      _tag: "ran",
      result: {
        tables: ["public.orders", "public.customers"],
        columns: [
          { name: "id", type: "integer" },
          { name: "country", type: "text" },
          { name: "ordered_at", type: "timestamp with time zone" }
        ]
      }
    })
  })

  it("explains a query without running it, and with analyze", async () => {
    const plan = await runAs(databases, "acme", "SELECT * FROM orders WHERE customer_id = $1", [7], {
      _tag: "explain",
      analyze: false
    })
    expect(JSON.stringify(plan)).toContain("orders_customer")
    const analyzed = await runAs(databases, "acme", "SELECT count(*) FROM orders", [], {
      _tag: "explain",
      analyze: true
    })
    expect(JSON.stringify(analyzed)).toContain("Actual Rows")
  })
})
