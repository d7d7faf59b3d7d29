/**
 * Observers (`Stage.observer`): each sees every request start and end, however it ends, in the order nested stages
 * would; observers next to each other share one exit hook, yet each keeps its place; an end that returns an effect
 * is waited for before the answer; an observer's log annotations cover every line logged while the request runs,
 * its own end included.
 */
import { Catalog, makeRequest, Notifier, Pipeline, Plugin, Stage, Tool } from "@bulwark/core"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Layer, Logger, References, Schema } from "effect"

const started = Deferred.makeUnsafe<void>()

const plugin = Plugin.make({
  name: "demo",
  version: "1.0.0",
  tools: [
    Tool.make("echo", {
      description: "Echoes, and logs a line of its own",
      input: Schema.Struct({ text: Schema.String }),
      handler: ({ text }) => Effect.as(Effect.logInfo("tool line"), text)
    }),
    Tool.make("hang", {
      description: "Never answers",
      input: Schema.Struct({}),
      handler: () => Effect.andThen(Deferred.succeed(started, undefined), Effect.never)
    })
  ]
})

const events: Array<string> = []

const ending = (exit: Exit.Exit<unknown, unknown>): string =>
  Exit.isSuccess(exit) ? "success" : Exit.hasInterrupts(exit) ? "interrupted" : "failure"

/** An observer that records its start and end; `later` makes its end return an effect that runs afterwards. */
const watcher = (name: string, order: number, later = false) =>
  Stage.observer(
    name,
    "observe",
    (call) => {
      events.push(`${name} start ${call.request.method}`)
      return (exit) => {
        events.push(`${name} end ${ending(exit)}`)
        return later ? Effect.sync(() => events.push(`${name} later`)) : undefined
      }
    },
    { order, annotations: (call) => ({ [`${name}Method`]: call.request.method }) }
  )

/** A plain stage between observers: it splits them into two groups. */
const between = Stage.make(
  "between",
  "observe",
  (next) => (call) =>
    Effect.suspend(() => {
      events.push("between")
      return next(call)
    }),
  { order: 15 }
)

const lines: Array<{ readonly message: string; readonly annotations: Readonly<Record<string, unknown>> }> = []
const capture = Logger.make(({ fiber, message }) => {
  const text = Array.isArray(message) ? String(message[0]) : String(message)
  lines.push({ message: text, annotations: fiber.getRef(References.CurrentLogAnnotations) })
})

const PipelineLive = Pipeline.layer({
  ...Pipeline.defaultConfig,
  stages: [watcher("outer", 11), watcher("inner", 12, true), between, watcher("last", 20)]
}).pipe(
  Layer.provide(Catalog.layer([plugin])),
  Layer.provide(Notifier.none),
  Layer.provideMerge(Logger.layer([capture]))
)

/** An observer whose end throws (a bug in it): the others still see the request end. */
const broken = Stage.observer(
  "broken",
  "observe",
  () => () => {
    throw new Error("observer bug")
  },
  { order: 12 }
)

const WithBrokenLive = Pipeline.layer({
  ...Pipeline.defaultConfig,
  stages: [watcher("outer", 11), broken, watcher("inner", 13)]
}).pipe(Layer.provide(Catalog.layer([plugin])), Layer.provide(Notifier.none), Layer.provideMerge(Logger.layer([])))

const handle = (method: string, params: Record<string, unknown>) =>
  Effect.flatMap(Pipeline.Pipeline, (pipeline) => pipeline.handle(makeRequest(method, params)))

describe("observers", () => {
  it.layer(PipelineLive)((it) => {
    it.effect("keep their places in the list and in the chain, and see the request start and end", () =>
      Effect.gen(function* () {
        const pipeline = yield* Pipeline.Pipeline
        expect(pipeline.stages.filter((stage) => stage.phase === "observe").map((stage) => stage.name)).toEqual([
          "tracing",
          "logging",
          "metrics",
          "outer",
          "inner",
          "between",
          "last"
        ])
        events.length = 0
        const result = yield* handle("tools/call", { name: "echo", arguments: { text: "hi" } })
        expect(result.content).toEqual([{ type: "text", text: "hi" }])
        // Starts outermost first; ends innermost first; what an end returns runs after the ends of its group.
        expect(events).toEqual([
          "outer start tools/call",
          "inner start tools/call",
          "between",
          "last start tools/call",
          "last end success",
          "inner end success",
          "outer end success",
          "inner later"
        ])
      })
    )

    it.effect("see failures and cancellations end", () =>
      Effect.gen(function* () {
        events.length = 0
        yield* Effect.flip(handle("no/such-method", {}))
        expect(events.filter((event) => event.includes(" end "))).toEqual([
          "last end failure",
          "inner end failure",
          "outer end failure"
        ])
        events.length = 0
        const fiber = yield* Effect.forkChild(handle("tools/call", { name: "hang", arguments: {} }))
        yield* Deferred.await(started)
        yield* Fiber.interrupt(fiber)
        expect(events.filter((event) => event.includes(" end ") || event.includes("later"))).toEqual([
          "last end interrupted",
          "inner end interrupted",
          "outer end interrupted",
          "inner later"
        ])
      })
    )

    it.effect("annotate every line logged while the request runs, the access log's line included", () =>
      Effect.gen(function* () {
        lines.length = 0
        yield* handle("tools/call", { name: "echo", arguments: { text: "hi" } })
        const tool = lines.find((line) => line.message === "tool line")
        const access = lines.find((line) => line.message === "request")
        const request = { method: "tools/call", target: "echo", requestId: expect.any(String) }
        // The tool runs inside every observer; the access log's line is written in its own group's end, outside
        // the observers past "between".
        expect(tool?.annotations).toMatchObject({
          ...request,
          outerMethod: "tools/call",
          innerMethod: "tools/call",
          lastMethod: "tools/call"
        })
        expect(access?.annotations).toMatchObject({
          ...request,
          outerMethod: "tools/call",
          innerMethod: "tools/call",
          outcome: "success",
          durationMs: expect.any(Number)
        })
        expect(access?.annotations).not.toHaveProperty("lastMethod")
        expect(tool?.annotations.requestId).toBe(access?.annotations.requestId)
      })
    )
  })
})

describe("an observer that throws", () => {
  it.layer(WithBrokenLive)((it) => {
    it.effect("keeps none of the others from seeing the request end, and is a defect", () =>
      Effect.gen(function* () {
        events.length = 0
        const exit = yield* Effect.exit(handle("tools/call", { name: "echo", arguments: { text: "hi" } }))
        expect(Exit.hasDies(exit)).toBe(true)
        expect(events.filter((event) => event.includes(" end "))).toEqual(["inner end success", "outer end success"])
      })
    )
  })
})
