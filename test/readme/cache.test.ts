// #region readme
import { Tool } from "@bulwark/core"
import { Effect, Schema } from "effect"

const Ticket = Schema.Struct({ id: Schema.Int, status: Schema.String })
const tickets = new Map<number, typeof Ticket.Type>([[42, { id: 42, status: "open" }]])

export const getTicket = Tool.make("get_ticket", {
  description: "One ticket",
  input: Schema.Struct({ id: Schema.Int }),
  output: Ticket,
  hints: { readOnly: true }, // only reads may be cached
  cache: { ttl: "30 seconds", tags: ({ id }) => [`ticket:${id}`], staleIfError: "5 minutes" },
  handler: ({ id }) => Effect.succeed(tickets.get(id) ?? { id, status: "unknown" })
})

export const closeTicket = Tool.make("close_ticket", {
  description: "Closes a ticket",
  input: Schema.Struct({ id: Schema.Int }),
  invalidates: ({ id }) => [`ticket:${id}`], // on every instance, before the answer is returned
  handler: ({ id }) => Effect.sync(() => tickets.set(id, { id, status: "closed" })).pipe(Effect.as("closed"))
})

// #endregion readme

import { CacheStage, layerLocalInvalidations, layerNoSharedCache, layerToolCache } from "@bulwark/cache"
import { Catalog, makeRequest, Notifier, Pipeline, Plugin } from "@bulwark/core"
import { Layer } from "effect"
import { describe, expect, it } from "vitest"

describe("the root README's cache declaration", () => {
  it("serves the ticket from the cache until the write invalidates it", async () => {
    const Live = Pipeline.layerWith(
      Effect.map(CacheStage.make, (stage) => ({ ...Pipeline.defaultConfig, stages: [stage] }))
    ).pipe(
      Layer.provideMerge(
        layerToolCache({ enabled: true, maxEntries: 10, maxBytes: 10_000 }).pipe(
          Layer.provide(Layer.merge(layerLocalInvalidations, layerNoSharedCache))
        )
      ),
      Layer.provide(
        Catalog.layer([Plugin.make({ name: "tickets", version: "1.0.0", tools: [getTicket, closeTicket] })])
      ),
      Layer.provide(Notifier.none)
    )
    const status = (name: string) =>
      Effect.flatMap(Pipeline.Pipeline, (pipeline) =>
        pipeline.handle(makeRequest("tools/call", { name, arguments: { id: 42 } }))
      ).pipe(Effect.map((result) => (result.structuredContent as { status?: string } | undefined)?.status))
    const seen = await Effect.runPromise(
      Effect.gen(function* () {
        const before = yield* status("get_ticket")
        tickets.set(42, { id: 42, status: "changed behind the cache's back" })
        const cached = yield* status("get_ticket")
        yield* status("close_ticket")
        const after = yield* status("get_ticket")
        return [before, cached, after]
      }).pipe(Effect.provide(Live))
    )
    expect(seen).toEqual(["open", "open", "closed"])
  })
})
