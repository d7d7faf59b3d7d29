/**
 * Declared caching in a pipeline, on a backend the test controls (a counter of the calls that reach it): hits and
 * misses, expiry, invalidation by the tags a write names (read your writes), tenant and caller isolation,
 * single-flight on concurrent misses, a stale answer standing in, marked degraded, when the backend fails, and a
 * policy on a tool that does not only read refused at start-up.
 */

import { CacheStage, layerLocalInvalidations, layerNoSharedCache, layerToolCache, ToolCache } from "@bulwark/cache"
import {
  Backend,
  Catalog,
  makeRequest,
  Notifier,
  Pipeline,
  Plugin,
  type Principal,
  Resource,
  Tool
} from "@bulwark/core"
import { BackendStage, layerBackends } from "@bulwark/resilience"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Schema } from "effect"
import { ConnectionError, SqlError } from "effect/sql/SqlError"

/** The backend: prices by sku, how many calls reached it, and whether it answers. */
const backend = { calls: 0, down: false, prices: new Map<string, number>([["A-1", 100]]) }

const lookup = (sku: string) =>
  Effect.suspend(() => {
    backend.calls++
    if (backend.down) {
      return Effect.die(
        new SqlError({ reason: new ConnectionError({ cause: new Error("ECONNREFUSED"), message: "down" }) })
      )
    }
    return Effect.succeed({ sku, cents: backend.prices.get(sku) ?? 0 })
  }).pipe(Effect.delay("20 millis"))

const shop = Plugin.make({
  name: "shop",
  version: "1.0.0",
  backends: [Backend.declare("prices-db", { retry: { retries: 0 }, breaker: { consecutiveFailures: 1000 } })],
  tools: [
    Tool.make("get_price", {
      description: "A price",
      input: Schema.Struct({ sku: Schema.String }),
      output: Schema.Struct({ sku: Schema.String, cents: Schema.Number }),
      backends: ["prices-db"],
      hints: { readOnly: true },
      cache: { ttl: "200 millis", tags: ({ sku }) => [`price:${sku}`], staleIfError: "10 seconds" },
      handler: ({ sku }) => lookup(sku)
    }),
    Tool.make("quick_price", {
      description: "A price that may be a little old, but never makes an agent wait",
      input: Schema.Struct({ sku: Schema.String }),
      output: Schema.Struct({ sku: Schema.String, cents: Schema.Number }),
      backends: ["prices-db"],
      hints: { readOnly: true },
      cache: { ttl: "100 millis", staleWhileRevalidate: "10 seconds" },
      handler: ({ sku }) => lookup(sku)
    }),
    Tool.make("my_price", {
      description: "A price as the caller sees it",
      input: Schema.Struct({ sku: Schema.String }),
      backends: ["prices-db"],
      hints: { readOnly: true },
      cache: { ttl: "10 seconds", scope: "private" },
      handler: ({ sku }, ctx) =>
        Effect.map(lookup(sku), (price) => `${ctx.call.principal?.subject ?? "nobody"}: ${price.cents}`)
    }),
    Tool.make("set_price_of", {
      description: "Sets a price (only the resource reads it)",
      input: Schema.Struct({ sku: Schema.String, cents: Schema.Number }),
      invalidates: ({ sku }) => [`price:${sku}`],
      handler: ({ sku, cents }) =>
        Effect.sync(() => {
          backend.prices.set(sku, cents)
          return "set"
        })
    }),
    Tool.make("set_price", {
      description: "Sets a price",
      input: Schema.Struct({ sku: Schema.String, cents: Schema.Number }),
      backends: ["prices-db"],
      invalidates: ({ sku }) => [`price:${sku}`],
      handler: ({ sku, cents }) =>
        Effect.sync(() => {
          backend.prices.set(sku, cents)
          return "set"
        })
    })
  ],
  resources: [
    Resource.template("price://{sku}", {
      name: "price",
      backends: ["prices-db"],
      cache: { ttl: "10 seconds", tags: ({ sku }) => [`price:${sku}`] },
      read: ({ sku }) => Effect.map(lookup(sku ?? ""), (price) => ({ text: String(price.cents) }))
    })
  ]
})

const Live = Pipeline.layerWith(
  Effect.all([CacheStage.make, BackendStage.make]).pipe(Effect.map((stages) => ({ ...Pipeline.defaultConfig, stages })))
).pipe(
  Layer.provideMerge(
    Layer.mergeAll(
      layerToolCache({ enabled: true, maxEntries: 100, maxBytes: 1_000_000 }).pipe(
        Layer.provide(Layer.merge(layerLocalInvalidations, layerNoSharedCache))
      ),
      layerBackends
    )
  ),
  Layer.provide(Catalog.layer([shop])),
  Layer.provide(Notifier.none)
)

const as = (tenantId: string, subject = "key-1"): Principal => ({ tenantId, subject, scopes: [], method: "api-key" })

const call = (name: string, args: Record<string, unknown>, principal: Principal = as("acme")) =>
  Effect.flatMap(Pipeline.Pipeline, (pipeline) =>
    pipeline.handle(makeRequest("tools/call", { name, arguments: args }, { principal }))
  )

const price = (sku: string, principal?: Principal) =>
  Effect.map(call("get_price", { sku }, principal), (result) => (result.structuredContent as { cents: number }).cents)

describe("declared caching", () => {
  it.layer(Live, { timeout: 30_000, excludeTestServices: true })((it) => {
    it.effect("serves repeats from the cache until the TTL, then asks the backend again", () =>
      Effect.gen(function* () {
        backend.calls = 0
        expect(yield* price("A-1")).toBe(100)
        for (let i = 0; i < 20; i++) expect(yield* price("A-1")).toBe(100)
        expect(backend.calls).toBe(1)
        yield* Effect.sleep("250 millis")
        expect(yield* price("A-1")).toBe(100)
        expect(backend.calls).toBe(2)
      })
    )

    it.effect("drops an answer when a write invalidates its tag: the writer's next read is fresh", () =>
      Effect.gen(function* () {
        expect(yield* price("A-1")).toBe(100)
        yield* call("set_price", { sku: "A-1", cents: 150 })
        expect(yield* price("A-1")).toBe(150)
        yield* call("set_price", { sku: "A-1", cents: 100 })
      })
    )

    it.effect("never gives one tenant's or caller's answer to another", () =>
      Effect.gen(function* () {
        backend.calls = 0
        yield* price("A-1", as("acme"))
        yield* price("A-1", as("globex"))
        expect(backend.calls).toBe(2)
        // An invalidation in one tenant leaves the other's answers alone.
        yield* call("set_price", { sku: "A-1", cents: 100 }, as("globex"))
        yield* price("A-1", as("acme"))
        expect(backend.calls).toBe(2)
        const texts = (result: Record<string, unknown>) => (result.content as Array<{ text: string }>)[0]?.text
        expect(texts(yield* call("my_price", { sku: "A-1" }, as("acme", "alice")))).toBe("alice: 100")
        expect(texts(yield* call("my_price", { sku: "A-1" }, as("acme", "bob")))).toBe("bob: 100")
        expect(texts(yield* call("my_price", { sku: "A-1" }, as("acme", "alice")))).toBe("alice: 100")
      })
    )

    it.effect("drops every answer of one tenant on a flush, and only that tenant's", () =>
      Effect.gen(function* () {
        const cache = yield* ToolCache
        yield* price("D-4", as("umbrella"))
        yield* price("D-4", as("cyberdyne"))
        backend.calls = 0
        yield* cache.flush("umbrella")
        yield* price("D-4", as("umbrella"))
        yield* price("D-4", as("cyberdyne"))
        expect(backend.calls).toBe(1)
      })
    )

    it.effect("serves a stale answer at once while one refresh runs in the background", () =>
      Effect.gen(function* () {
        const quick = (principal: Principal) =>
          Effect.map(
            call("quick_price", { sku: "E-5" }, principal),
            (r) => (r.structuredContent as { cents: number }).cents
          )
        backend.prices.set("E-5", 1)
        expect(yield* quick(as("soylent"))).toBe(1)
        backend.prices.set("E-5", 2)
        yield* Effect.sleep("150 millis")
        backend.calls = 0
        // Past its freshness: the old answer (the backend already says 2), and one refresh behind it.
        const stale = yield* Effect.all([quick(as("soylent")), quick(as("soylent")), quick(as("soylent"))])
        expect(stale).toEqual([1, 1, 1])
        yield* Effect.sleep("60 millis")
        expect(backend.calls).toBe(1)
        expect(yield* quick(as("soylent"))).toBe(2)
      })
    )

    it.effect(
      "caches resource reads by URI, invalidated by their variables' tags, and tells 2026 clients the TTL",
      () =>
        Effect.gen(function* () {
          const pipeline = yield* Pipeline.Pipeline
          const read = (era: "modern" | "legacy") =>
            pipeline.handle(makeRequest("resources/read", { uri: "price://F-6" }, { principal: as("wayne"), era }))
          backend.prices.set("F-6", 600)
          backend.calls = 0
          const first = yield* read("modern")
          expect(first).toMatchObject({ contents: [{ text: "600" }], ttlMs: 10_000, cacheScope: "private" })
          const legacy = yield* read("legacy")
          expect(legacy.ttlMs).toBeUndefined()
          expect(legacy).toMatchObject({ contents: [{ text: "600" }] })
          expect(backend.calls).toBe(1)
          yield* call("set_price_of", { sku: "F-6", cents: 650 }, as("wayne"))
          expect(yield* read("modern")).toMatchObject({ contents: [{ text: "650" }] })
          expect(backend.calls).toBe(2)
        })
    )

    it.effect("runs concurrent misses of one key once", () =>
      Effect.gen(function* () {
        backend.calls = 0
        const answers = yield* Effect.all(
          Array.from({ length: 100 }, () => price("B-2", as("initech"))),
          { concurrency: "unbounded" }
        )
        expect(new Set(answers)).toEqual(new Set([0]))
        expect(backend.calls).toBe(1)
      })
    )

    it.effect("serves a stale answer, marked degraded with its age, when the backend fails", () =>
      Effect.gen(function* () {
        yield* price("C-3", as("hooli"))
        yield* Effect.sleep("250 millis")
        backend.down = true
        const stale = yield* call("get_price", { sku: "C-3" }, as("hooli"))
        backend.down = false
        expect(stale.isError).toBeUndefined()
        expect(stale.structuredContent).toEqual({ sku: "C-3", cents: 0 })
        expect((stale.content as Array<{ text: string }>)[0]?.text).toMatch(
          /^Stale answer \(0 s old\) served because the backend did not answer: Backend "prices-db" is failing/
        )
        expect(stale._meta).toMatchObject({ "io.bulwark/degraded": { backend: "prices-db", staleAgeSeconds: 0 } })
      })
    )
  })

  it.effect("refuses a cache policy on a tool that does not only read, at start-up", () =>
    Effect.gen(function* () {
      const writes = Plugin.make({
        name: "writes",
        version: "1.0.0",
        tools: [
          Tool.make("create", {
            description: "Creates",
            input: Schema.Struct({}),
            cache: { ttl: "1 minute" },
            handler: () => Effect.succeed("created")
          })
        ]
      })
      const exit = yield* Effect.exit(Catalog.make([writes]))
      expect(exit).toEqual(
        Exit.fail(
          expect.objectContaining({
            _tag: "CatalogInvalid",
            item: 'tool "create"',
            problem: expect.stringContaining("only reads may be cached")
          })
        )
      )
    })
  )
})
