// #region readme
import { Catalog, DEFAULT_TENANT, Notifier, Pipeline, Plugin, silentChannel } from "@bulwark/core"
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

// Transports turn their requests into this shape; here we call the pipeline directly.
export const fetchAda = Effect.flatMap(Pipeline.Pipeline, (pipeline) =>
  pipeline.handle({
    jsonRpcId: 1,
    method: "tools/call",
    params: { name: "fetch_user", arguments: { email: "ada@example.com" } },
    meta: {},
    era: "modern",
    headers: {},
    inputResponses: {},
    signal: new AbortController().signal,
    client: silentChannel
  })
)

// #endregion readme

import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { freshDatabase } from "./support/freshDatabase.ts"

describe("README example", () => {
  it("is the code of this file's readme region", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")
    const self = readFileSync(new URL(import.meta.url), "utf8")
    const region = /\/\/ #region readme\n([\s\S]*?)\/\/ #endregion readme/.exec(self)?.[1]
    expect(region).toBeDefined()
    expect(/```ts\n([\s\S]*?)```/.exec(readme)?.[1]?.trim()).toBe(region?.trim())
  })

  it.live("serves the tickets tools over a fresh database, with the demo users seeded", () =>
    Effect.gen(function* () {
      const result = yield* fetchAda
      expect(result.isError).toBeUndefined()
      expect(result.structuredContent).toMatchObject({ email: "ada@example.com", name: "Ada Lovelace" })
    }).pipe(Effect.provide(TicketsServer(freshDatabase("readme"))))
  )
})
