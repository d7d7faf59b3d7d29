/**
 * The shared layer on the real Redis (`127.0.0.1:6379`, keys under a prefix of this run's own): two caches standing
 * for two instances, each with its own memory and no other link than Redis. One's answer is the other's hit; a tenant
 * never gets another's answer, nor a caller another's `private` one; a write on one makes the other miss.
 */

import { CacheStage, layerLocalInvalidations, layerRedisSharedCache, layerToolCache } from "@bulwark/cache"
import { Catalog, makeRequest, Notifier, Pipeline, Plugin, type Principal, Tool } from "@bulwark/core"
import { NodeRedis } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"

const backend = { calls: 0 }

const notes = Plugin.make({
  name: "notes",
  version: "1.0.0",
  tools: [
    Tool.make("read_note", {
      description: "A tenant's note",
      input: Schema.Struct({ id: Schema.Int }),
      hints: { readOnly: true },
      cache: { ttl: "1 minute", tags: ({ id }) => [`note:${id}`] },
      handler: ({ id }, ctx) =>
        Effect.sync(() => {
          backend.calls++
          return `note ${id} of ${ctx.call.tenantId}, version ${backend.calls}`
        })
    }),
    Tool.make("my_note", {
      description: "The caller's own note",
      input: Schema.Struct({}),
      hints: { readOnly: true },
      cache: { ttl: "1 minute", scope: "private" },
      handler: (_, ctx) => Effect.succeed(`note of ${ctx.call.principal?.subject}`)
    }),
    Tool.make("edit_note", {
      description: "Edits a note",
      input: Schema.Struct({ id: Schema.Int }),
      invalidates: ({ id }) => [`note:${id}`],
      handler: () => Effect.succeed("edited")
    })
  ]
})

const prefix = `bulwark:test:${crypto.randomUUID()}`
const redis = NodeRedis.layer({ url: "redis://127.0.0.1:6379" })

/** One instance: its own pipeline, memory and (local only) invalidations; Redis is all it shares. */
const instance = () =>
  Pipeline.layerWith(Effect.map(CacheStage.make, (stage) => ({ ...Pipeline.defaultConfig, stages: [stage] }))).pipe(
    Layer.provide(
      layerToolCache({ enabled: true, maxEntries: 100, maxBytes: 1_000_000 }).pipe(
        Layer.provide(Layer.merge(layerLocalInvalidations, layerRedisSharedCache(prefix).pipe(Layer.provide(redis))))
      )
    ),
    Layer.provide(Catalog.layer([notes])),
    Layer.provide(Notifier.none),
    Layer.build
  )

const as = (tenantId: string, subject = "key-1"): Principal => ({ tenantId, subject, scopes: [], method: "api-key" })

const text = (
  services: import("effect").Context.Context<Pipeline.Pipeline>,
  name: string,
  args: Record<string, unknown>,
  principal: Principal
) =>
  Effect.flatMap(Pipeline.Pipeline, (pipeline) =>
    pipeline.handle(makeRequest("tools/call", { name, arguments: args }, { principal }))
  ).pipe(
    Effect.map((result) => (result.content as Array<{ text: string }>)[0]?.text),
    Effect.provide(services)
  )

describe("the shared layer on Redis", () => {
  it.live("shares answers between instances, never across tenants or callers, and honours invalidations", () =>
    Effect.gen(function* () {
      const one = yield* instance()
      const two = yield* instance()
      backend.calls = 0
      const first = yield* text(one, "read_note", { id: 1 }, as("acme"))
      expect(yield* text(two, "read_note", { id: 1 }, as("acme"))).toBe(first)
      expect(backend.calls).toBe(1)
      // Another tenant: its own answer, computed.
      expect(yield* text(two, "read_note", { id: 1 }, as("globex"))).toBe("note 1 of globex, version 2")
      // Another caller of a private answer: its own.
      expect(yield* text(one, "my_note", {}, as("acme", "alice"))).toBe("note of alice")
      expect(yield* text(two, "my_note", {}, as("acme", "bob"))).toBe("note of bob")
      // A write on one instance: a third, its memory empty, finds the stored answer outdated in Redis and recomputes.
      const fresh = yield* instance()
      yield* text(one, "edit_note", { id: 1 }, as("acme"))
      expect(yield* text(fresh, "read_note", { id: 1 }, as("acme"))).toBe("note 1 of acme, version 3")
    }).pipe(Effect.scoped)
  )
})
