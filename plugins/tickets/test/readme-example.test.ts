// #region readme
import { Catalog, DEFAULT_TENANT, makeRequest, Notifier, Pipeline, Plugin } from "@bulwark/core"
import { seedDemoData, TicketsLive, TicketsPlugin } from "@bulwark/plugin-tickets"
import { Effect, Layer } from "effect"
import type { SqlClient } from "effect/sql"

// Pair the plugin with its layer. TicketsLive needs a SqlClient and migrates the plugin's tables when it is built.
const Tickets = Plugin.install(TicketsPlugin, TicketsLive)

// Demo users for a tenant, so that fetch_user has something to return (leave out in production).
const DemoData = Layer.effectDiscard(seedDemoData(DEFAULT_TENANT)).pipe(Layer.provide(TicketsLive))

// The pipeline serving the plugin (list other installed plugins next to it) over your database,
// e.g. Database.layer(config) from @bulwark/database.
export const TicketsServer = <E>(database: Layer.Layer<SqlClient.SqlClient, E>) =>
  Pipeline.layer().pipe(
    Layer.provide(Catalog.layerInstalled([Tickets])),
    Layer.provide(Notifier.none),
    Layer.merge(DemoData),
    Layer.provide(database)
  )

// Transports turn their requests into an McpRequest; here we call the pipeline directly.
export const fetchAda = Effect.flatMap(Pipeline.Pipeline, (pipeline) =>
  pipeline.handle(makeRequest("tools/call", { name: "fetch_user", arguments: { email: "ada@example.com" } }))
)

// #endregion readme

import { describe, expect, it } from "@effect/vitest"
import { freshDatabase } from "./support/freshDatabase.ts"

describe("README example", () => {
  it.live("serves the tickets tools over a fresh database, with the demo users seeded", () =>
    Effect.gen(function* () {
      const result = yield* fetchAda
      expect(result.isError).toBeUndefined()
      expect(result.structuredContent).toMatchObject({ email: "ada@example.com", name: "Ada Lovelace" })
    }).pipe(Effect.provide(TicketsServer(freshDatabase("readme"))))
  )
})
