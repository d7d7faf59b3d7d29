/**
 * Idempotency keys on a real PostgreSQL (a database of this test's own), through a pipeline whose tool counts its
 * runs: a key belongs to its tenant and principal (the same key elsewhere is another key), a tool error is a result
 * and is replayed, a call that fails unexpectedly gives its key up so that a retry runs again, and a malformed key is
 * refused.
 */
import { Catalog, makeRequest, Notifier, Pipeline, Plugin, type Principal, Tool, ToolError } from "@bulwark/core"
import { appDatabase, TestDatabase } from "@bulwark/database/testing"
import { IdempotencyConfig, IdempotencyMigrations, layer, stage } from "@bulwark/idempotency"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"

const runs = { count: 0, fail: false }

const orders = Plugin.make({
  name: "orders",
  version: "1.0.0",
  tools: [
    Tool.make("place_order", {
      description: "Places an order (not idempotent: every run places one)",
      input: Schema.Struct({ item: Schema.String }),
      errors: [ToolError],
      handler: ({ item }) =>
        Effect.suspend(() => {
          runs.count++
          if (runs.fail) return Effect.die(new Error("the order service crashed"))
          if (item === "unobtainium") return Effect.fail(new ToolError({ message: "out of stock" }))
          return Effect.succeed(`order ${runs.count} for ${item}`)
        })
    })
  ]
})

const Live = Pipeline.layerWith(Effect.map(stage, (keys) => ({ ...Pipeline.defaultConfig, stages: [keys] }))).pipe(
  Layer.provide(layer(Schema.decodeUnknownSync(IdempotencyConfig)({}))),
  Layer.provide(IdempotencyMigrations.layer),
  Layer.provide(Catalog.layer([orders])),
  Layer.provide(Notifier.none),
  Layer.provideMerge(appDatabase(2)),
  Layer.provide(TestDatabase.layer("idempotency"))
)

const as = (tenantId: string, subject: string): Principal => ({ tenantId, subject, scopes: [], method: "api-key" })

const place = (item: string, principal: Principal, key: unknown) =>
  Effect.flatMap(Pipeline.Pipeline, (pipeline) =>
    pipeline.handle(
      makeRequest(
        "tools/call",
        { name: "place_order", arguments: { item } },
        { principal, meta: { "io.bulwark/idempotencyKey": key } }
      )
    )
  )

const textOf = (result: Record<string, unknown>) => (result.content as Array<{ text: string }>)[0]?.text

describe("idempotency keys", () => {
  it.layer(Live, { timeout: 60_000 })((it) => {
    it.effect("belong to a tenant and a principal", () =>
      Effect.gen(function* () {
        runs.count = 0
        const alice = textOf(yield* place("tea", as("acme", "alice"), "k1"))
        expect(textOf(yield* place("tea", as("acme", "alice"), "k1"))).toBe(alice)
        expect(textOf(yield* place("tea", as("acme", "bob"), "k1"))).not.toBe(alice)
        expect(textOf(yield* place("tea", as("globex", "alice"), "k1"))).not.toBe(alice)
        expect(runs.count).toBe(3)
      })
    )

    it.effect("replay a tool error, and give the key up after an unexpected failure", () =>
      Effect.gen(function* () {
        runs.count = 0
        const refused = yield* place("unobtainium", as("acme", "alice"), "k2")
        expect(refused.isError).toBe(true)
        expect(yield* place("unobtainium", as("acme", "alice"), "k2")).toMatchObject({ isError: true })
        expect(runs.count).toBe(1)
        runs.fail = true
        const crashed = yield* Effect.flip(place("coffee", as("acme", "alice"), "k3"))
        runs.fail = false
        expect(crashed.code).toBe(-32603)
        expect(textOf(yield* place("coffee", as("acme", "alice"), "k3"))).toBe("order 3 for coffee")
      })
    )

    it.effect("refuse a malformed key", () =>
      Effect.gen(function* () {
        for (const key of ["", "has space", 42, "x".repeat(256)]) {
          const error = yield* Effect.flip(place("tea", as("acme", "alice"), key))
          expect(error.code).toBe(-32602)
        }
      })
    )
  })
})
