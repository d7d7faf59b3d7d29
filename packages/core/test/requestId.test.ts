/**
 * Request ids: UUIDv7 (RFC 9562), unique, ordered by the millisecond they were made in; the pipeline gives every
 * request one (the id its audit row and log lines carry).
 */
import { Catalog, makeRequest, makeRequestId, Notifier, Pipeline, Plugin, Stage, Tool } from "@bulwark/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/** The milliseconds since the epoch a UUIDv7 leads with (its first 48 bits). */
const millisOf = (id: string): number => Number.parseInt(id.replaceAll("-", "").slice(0, 12), 16)

const seen: Array<string> = []

const PipelineLive = Pipeline.layer({
  ...Pipeline.defaultConfig,
  stages: [
    Stage.observer("ids", "observe", (call) => {
      seen.push(call.requestId)
      return () => undefined
    })
  ]
}).pipe(
  Layer.provide(
    Catalog.layer([
      Plugin.make({
        name: "demo",
        version: "1.0.0",
        tools: [
          Tool.make("echo", {
            description: "Echoes",
            input: Schema.Struct({ text: Schema.String }),
            handler: ({ text }) => Effect.succeed(text)
          })
        ]
      })
    ])
  ),
  Layer.provide(Notifier.none)
)

describe("request ids", () => {
  it("are UUIDv7 led by the time they were made", () => {
    const before = Date.now()
    const id = makeRequestId()
    const after = Date.now()
    expect(id).toMatch(V7)
    expect(millisOf(id)).toBeGreaterThanOrEqual(before)
    expect(millisOf(id)).toBeLessThanOrEqual(after)
  })

  it("are unique, and an id made in a later millisecond sorts after an earlier one", async () => {
    const ids = Array.from({ length: 10_000 }, makeRequestId)
    expect(new Set(ids).size).toBe(ids.length)
    const first = makeRequestId()
    await new Promise((resolve) => setTimeout(resolve, 3))
    const second = makeRequestId()
    expect(millisOf(second)).toBeGreaterThan(millisOf(first))
    expect(first < second).toBe(true)
  })

  it.layer(PipelineLive)((it) => {
    it.effect("are what the pipeline gives each request", () =>
      Effect.gen(function* () {
        const pipeline = yield* Pipeline.Pipeline
        seen.length = 0
        for (let i = 0; i < 3; i++)
          yield* pipeline.handle(makeRequest("tools/call", { name: "echo", arguments: { text: "hi" } }))
        expect(seen).toHaveLength(3)
        for (const id of seen) expect(id).toMatch(V7)
        expect(new Set(seen).size).toBe(3)
      })
    )
  })
})
