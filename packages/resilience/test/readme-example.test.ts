// #region readme
import { Backend, Catalog, makeRequest, Notifier, Pipeline, Plugin, Tool } from "@bulwark/core"
import { BackendStage, layerBackends } from "@bulwark/resilience"
import { Data, Effect, Layer, Schema } from "effect"

/** What the prices API fails with when it is down for a moment (a 502, a reset connection). */
class PricesUnavailable extends Data.TaggedError("PricesUnavailable")<{ readonly status: number }> {}

// A plugin declares the backend it calls, with its policy; its tools name it.
const prices = Backend.declare("prices-api", {
  timeout: "2 seconds", // per call, never more than what is left of the request's deadline
  retry: { retries: 2, baseDelay: "100 millis", budget: 0.2 }, // idempotent calls only, a fifth of calls at most
  breaker: { consecutiveFailures: 5, failureRate: { threshold: 0.5, window: 20 }, openFor: "10 seconds" },
  bulkhead: { maxConcurrent: 8, maxQueued: 8, perTenant: 4 },
  // Which failures mean "down for a moment" (retried, counted by the breaker); anything else is a bug.
  transient: (error) => error instanceof PricesUnavailable
})

let healthy = false // the backend, as this example controls it
const fetchPrice = (sku: string) =>
  healthy ? Effect.succeed({ sku, cents: 1999 }) : Effect.die(new PricesUnavailable({ status: 502 }))

const Shop = Plugin.make({
  name: "shop",
  version: "1.0.0",
  backends: [prices],
  tools: [
    Tool.make("get_price", {
      description: "The current price of an item",
      input: Schema.Struct({ sku: Schema.String }),
      output: Schema.Struct({ sku: Schema.String, cents: Schema.Number }),
      backends: ["prices-api"],
      hints: { readOnly: true },
      handler: ({ sku }) => fetchPrice(sku),
      // Without a fallback the agent gets a tool error naming the backend; with one, an answer marked degraded.
      fallback: ({ sku }) => Effect.succeed({ sku, cents: 0 })
    })
  ]
})

// The pipeline runs every call of a tool that names a backend under that backend's policy.
const AppLive = Pipeline.layerWith(
  Effect.map(BackendStage.make, (stage) => ({ ...Pipeline.defaultConfig, stages: [stage] }))
).pipe(Layer.provideMerge(layerBackends), Layer.provide(Catalog.layer([Shop])), Layer.provide(Notifier.none))

export const getPrice = Effect.flatMap(Pipeline.Pipeline, (pipeline) =>
  pipeline.handle(makeRequest("tools/call", { name: "get_price", arguments: { sku: "A-1" } }))
)

// #endregion readme

import { describe, expect, it } from "@effect/vitest"
import { References } from "effect"

describe("README example", () => {
  it.live("answers from the backend when it is healthy, degraded from the fallback when it is not", () =>
    Effect.gen(function* () {
      healthy = true
      expect((yield* getPrice).structuredContent).toEqual({ sku: "A-1", cents: 1999 })
      healthy = false
      const degraded = yield* getPrice
      expect(degraded.structuredContent).toEqual({ sku: "A-1", cents: 0 })
      expect(degraded._meta).toMatchObject({ "io.bulwark/degraded": { backend: "prices-api", reason: "failing" } })
    }).pipe(Effect.provide(AppLive), Effect.provideService(References.MinimumLogLevel, "Error"))
  )
})
