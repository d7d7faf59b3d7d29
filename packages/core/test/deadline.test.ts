/**
 * The deadline stage: a tool that answers at once is answered without a timer, a slow one is interrupted (its
 * finalizers run) before the timeout answer, one that finishes in time keeps its answer, and a request interrupted
 * while its tool runs takes the tool down with it.
 */
import { Catalog, makeRequest, Notifier, Pipeline, Plugin, remainingMillis, Tool } from "@bulwark/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Schema } from "effect"
import { TestClock } from "effect/testing"

const events: Array<string> = []

const plugin = Plugin.make({
  name: "deadlines",
  version: "1.0.0",
  tools: [
    Tool.make("instant", {
      description: "Answers at once, with the time it had left",
      input: Schema.Struct({}),
      timeout: "50 millis",
      handler: () => Effect.map(remainingMillis, (left) => `left ${left}`)
    }),
    Tool.make("sleepy", {
      description: "Sleeps for the milliseconds asked",
      input: Schema.Struct({ ms: Schema.Int }),
      timeout: "50 millis",
      handler: ({ ms }) =>
        Effect.sleep(ms).pipe(
          Effect.as("woke"),
          Effect.onInterrupt(() => Effect.sync(() => events.push(`interrupted after asking ${ms}`)))
        )
    })
  ]
})

const PipelineLive = Pipeline.layer().pipe(Layer.provide(Catalog.layer([plugin])), Layer.provide(Notifier.none))

const call = (name: string, args: Record<string, unknown>) =>
  Effect.flatMap(Pipeline.Pipeline, (pipeline) => pipeline.handle(makeRequest("tools/call", { name, arguments: args })))

const text = (result: { readonly content?: unknown }) => (result.content as Array<{ text: string }>)[0]?.text

describe("the deadline", () => {
  it.layer(PipelineLive)((it) => {
    it.effect("answers a tool that answers at once without the clock moving, its deadline in reach", () =>
      Effect.gen(function* () {
        const result = yield* call("instant", {})
        expect(text(result)).toBe("left 50")
      })
    )

    it.effect("interrupts a slow tool, running its finalizers, before answering that it timed out", () =>
      Effect.gen(function* () {
        events.length = 0
        const answered = Effect.tap(call("sleepy", { ms: 5000 }), () => Effect.sync(() => events.push("answered")))
        const fiber = yield* Effect.forkChild(answered)
        yield* TestClock.adjust("60 millis")
        const result = yield* Fiber.join(fiber)
        expect(result.isError).toBe(true)
        expect(text(result)).toBe('Tool "sleepy" timed out after 50 ms; it may succeed if retried later.')
        expect(events).toEqual(["interrupted after asking 5000", "answered"])
      })
    )

    it.effect("keeps the answer of a tool that finishes in time, and nothing fires later", () =>
      Effect.gen(function* () {
        events.length = 0
        const fiber = yield* Effect.forkChild(call("sleepy", { ms: 20 }))
        yield* TestClock.adjust("30 millis")
        expect(text(yield* Fiber.join(fiber))).toBe("woke")
        yield* TestClock.adjust("100 millis")
        expect(events).toEqual([])
      })
    )

    it.effect("takes the tool down with a request interrupted while it runs", () =>
      Effect.gen(function* () {
        events.length = 0
        const fiber = yield* Effect.forkChild(call("sleepy", { ms: 5000 }))
        yield* TestClock.adjust("10 millis")
        yield* Fiber.interrupt(fiber)
        expect(events).toEqual(["interrupted after asking 5000"])
      })
    )
  })
})
