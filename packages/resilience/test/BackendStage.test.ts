/**
 * The backends stage in a pipeline: a tool whose backend fails never answers silently. With a declared fallback it
 * answers from it, marked degraded in its text and `_meta`; without one it answers a tool error naming the backend,
 * what happened and when to retry; a resource on the same backend answers -32031 with the same facts in `data`. A
 * tool that names no backend is not touched.
 */
import { Backend, Catalog, makeRequest, Notifier, Pipeline, Plugin, Resource, Tool } from "@bulwark/core"
import { BackendStage, layerBackends } from "@bulwark/resilience"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"
import { ConnectionError, SqlError } from "effect/sql/SqlError"

const down = Effect.die(
  new SqlError({ reason: new ConnectionError({ cause: new Error("ECONNREFUSED"), message: "Connection refused" }) })
)

const inventory = Plugin.make({
  name: "inventory",
  version: "1.0.0",
  backends: [Backend.declare("stock-db", { retry: { retries: 0 }, breaker: { consecutiveFailures: 100 } })],
  tools: [
    Tool.make("stock_level", {
      description: "How many items are in stock",
      input: Schema.Struct({ sku: Schema.String }),
      output: Schema.Struct({ sku: Schema.String, level: Schema.Number }),
      backends: ["stock-db"],
      hints: { readOnly: true },
      handler: () => down,
      fallback: ({ sku }) => Effect.succeed({ sku, level: 0 })
    }),
    Tool.make("reserve_item", {
      description: "Reserves an item",
      input: Schema.Struct({ sku: Schema.String }),
      backends: ["stock-db"],
      handler: () => down
    }),
    Tool.make("echo", {
      description: "No backend",
      input: Schema.Struct({ text: Schema.String }),
      handler: ({ text }) => Effect.succeed(text)
    })
  ],
  resources: [
    Resource.template("stock://{sku}", {
      name: "stock",
      backends: ["stock-db"],
      read: () => down
    })
  ]
})

const Live = Pipeline.layerWith(
  Effect.map(BackendStage.make, (stage) => ({ ...Pipeline.defaultConfig, stages: [stage] }))
).pipe(Layer.provideMerge(layerBackends), Layer.provide(Catalog.layer([inventory])), Layer.provide(Notifier.none))

const call = (name: string, args: Record<string, unknown>) =>
  Effect.flatMap(Pipeline.Pipeline, (pipeline) => pipeline.handle(makeRequest("tools/call", { name, arguments: args })))

const textsOf = (result: Record<string, unknown>) => (result.content as Array<{ text: string }>).map((c) => c.text)

describe("calls whose backend fails", () => {
  it.layer(Live)((it) => {
    it.effect("answer from the tool's fallback, marked degraded in text and _meta", () =>
      Effect.gen(function* () {
        const result = yield* call("stock_level", { sku: "A-1" })
        expect(result.isError).toBeUndefined()
        expect(result.structuredContent).toEqual({ sku: "A-1", level: 0 })
        expect(textsOf(result)[0]).toBe(
          `Degraded answer (the tool's fallback): Backend "stock-db" is failing; retry in 1 s.`
        )
        expect(result._meta).toMatchObject({
          "io.bulwark/degraded": { backend: "stock-db", reason: "failing", retryAfterSeconds: 1 }
        })
      })
    )

    it.effect("without a fallback, are a tool error naming the backend and when to retry", () =>
      Effect.gen(function* () {
        const result = yield* call("reserve_item", { sku: "A-1" })
        expect(result.isError).toBe(true)
        expect(textsOf(result)).toEqual([`Backend "stock-db" is failing; retry in 1 s.`])
        expect(result._meta).toMatchObject({ "io.bulwark/degraded": { backend: "stock-db", reason: "failing" } })
      })
    )

    it.effect("on a resource, are -32031 with the backend, the reason and the retry in data", () =>
      Effect.gen(function* () {
        const pipeline = yield* Pipeline.Pipeline
        const error = yield* Effect.flip(pipeline.handle(makeRequest("resources/read", { uri: "stock://A-1" })))
        expect(error.code).toBe(-32031)
        expect(error.data).toMatchObject({ backend: "stock-db", reason: "failing", retryAfterSeconds: 1 })
      })
    )

    it.effect("leave a tool without backends alone", () =>
      Effect.gen(function* () {
        expect(textsOf(yield* call("echo", { text: "hi" }))).toEqual(["hi"])
      })
    )
  })
})
