// #region readme
import { Catalog, makeRequest, Notifier, Pipeline } from "@bulwark/core"
import { install, PostgresConfig } from "@bulwark/plugin-postgres"
import { Effect, Layer, Schema } from "effect"

// The databases agents may read, each reached as a role with SELECT only (the plugin checks it at start-up).
export const postgres = (url: string) =>
  install(
    Schema.decodeUnknownSync(PostgresConfig)({
      databases: [{ name: "shop", url, description: "The web shop", schemas: ["public"], maxRows: 200 }]
    })
  )

// The pipeline serving the plugin; transports hand it their requests (here, a call made directly).
export const ShopServer = (url: string) =>
  Pipeline.layer().pipe(Layer.provide(Catalog.layerInstalled([postgres(url)])), Layer.provide(Notifier.none))

export const revenueByCategory = Effect.flatMap(Pipeline.Pipeline, (pipeline) =>
  pipeline.handle(
    makeRequest("tools/call", {
      name: "query",
      arguments: {
        database: "shop",
        sql: `SELECT p.category, sum(o.quantity * p.price) AS revenue
              FROM orders o JOIN products p ON p.id = o.product_id
              GROUP BY 1 ORDER BY 2 DESC`
      }
    })
  )
)

// #endregion readme

import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type AnalyticsDatabase, createAnalyticsDatabase } from "./support/analyticsDatabase.ts"

let db: AnalyticsDatabase
beforeAll(async () => {
  db = await createAnalyticsDatabase("pgreadme")
}, 60_000)
afterAll(() => db?.drop())

describe("README example", () => {
  it("answers revenue by category from the sample database", async () => {
    const result = await Effect.runPromise(revenueByCategory.pipe(Effect.provide(ShopServer(db.readerUrl))))
    expect(result.isError).toBeUndefined()
    expect(result.structuredContent).toMatchObject({
      columns: [
        { name: "category", type: "text" },
        { name: "revenue", type: "numeric" }
      ],
      rowCount: 4
    })
  })
})
