/**
 * Guards (`Stage.guard`): guards next to each other are decided in one step, yet each keeps its place; what one
 * learns reaches the guards after it and the rest of the chain, and nothing outside; a guard that must wait wraps
 * the rest, the guards after it included; whatever ends the request (an answer, a refusal, a defect, a
 * cancellation), the ends of the guards that let it through run, innermost first.
 */
import { Catalog, forbidden, makeRequest, Notifier, Pipeline, Plugin, Stage, Tool } from "@bulwark/core"
import { describe, expect, it } from "@effect/vitest"
import { Context, Deferred, Effect, Exit, Fiber, Layer, Schema } from "effect"

/** A fact the first guard learns about each request, for the guards and the tool after it. */
const Fact = Context.Reference<string | undefined>("test/guards/Fact", { defaultValue: () => undefined })

const started = Deferred.makeUnsafe<void>()

const plugin = Plugin.make({
  name: "demo",
  version: "1.0.0",
  tools: [
    Tool.make("echo", {
      description: "Echoes, with the fact the guards learned",
      input: Schema.Struct({ text: Schema.String }),
      handler: ({ text }) => Effect.withFiber((fiber) => Effect.succeed(`${text} (${fiber.getRef(Fact)})`))
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
  Exit.isSuccess(exit)
    ? "success"
    : Exit.hasInterrupts(exit)
      ? "interrupted"
      : Exit.hasDies(exit)
        ? "defect"
        : "failure"

const textOf = (params: Record<string, unknown>): string | undefined => {
  const args = params.arguments as { readonly text?: unknown } | undefined
  return typeof args?.text === "string" ? args.text : undefined
}

const learns = Stage.guard("learns", "admit", (call, context) => {
  events.push(`learns ${call.request.method}`)
  return Stage.admitted({
    context: Context.add(context, Fact, `learned by ${call.request.method}`),
    end: (exit) => {
      events.push(`learns end ${ending(exit)}`)
      return undefined
    }
  })
})

const refuses = Stage.guard(
  "refuses",
  "admit",
  (call, context) => {
    events.push(`refuses sees ${Context.get(context, Fact)}`)
    const text = textOf(call.request.params)
    if (text === "refuse") return forbidden("refuses", "not this one")
    if (text === "throw") throw new Error("guard bug")
    return undefined
  },
  { order: 1 }
)

const waits = Stage.guard(
  "waits",
  "limit",
  (call) =>
    textOf(call.request.params) === "wait"
      ? Stage.around((rest) =>
          Effect.yieldNow.pipe(
            Effect.andThen(Effect.sync(() => events.push("waits waited"))),
            Effect.andThen(rest),
            Effect.onExit((exit) => Effect.sync(() => events.push(`waits end ${ending(exit)}`)))
          )
        )
      : undefined,
  { order: 0 }
)

const counts = Stage.guard(
  "counts",
  "limit",
  (_call, context) => {
    events.push(`counts sees ${Context.get(context, Fact)}`)
    return Stage.admitted({
      end: (exit) => {
        events.push(`counts end ${ending(exit)}`)
        return Effect.sync(() => events.push("counts later"))
      }
    })
  },
  { order: 1 }
)

/** An observer outside the guards: it must not see what they learned. */
const outside = Stage.observer("outside", "observe", () => (_exit, fiber) => {
  events.push(`outside sees ${fiber.getRef(Fact)}`)
  return undefined
})

const PipelineLive = Pipeline.layer({
  ...Pipeline.defaultConfig,
  stages: [outside, counts, learns, waits, refuses]
}).pipe(Layer.provide(Catalog.layer([plugin])), Layer.provide(Notifier.none))

const handle = (method: string, params: Record<string, unknown>) =>
  Effect.flatMap(Pipeline.Pipeline, (pipeline) => pipeline.handle(makeRequest(method, params)))

describe("guards", () => {
  it.layer(PipelineLive)((it) => {
    it.effect("keep their places, hand what they learn to the rest of the chain and only to it", () =>
      Effect.gen(function* () {
        const pipeline = yield* Pipeline.Pipeline
        expect(pipeline.stages.filter((stage) => ["admit", "limit"].includes(stage.phase))).toEqual([
          { name: "learns", phase: "admit" },
          { name: "refuses", phase: "admit" },
          { name: "waits", phase: "limit" },
          { name: "counts", phase: "limit" }
        ])
        events.length = 0
        const result = yield* handle("tools/call", { name: "echo", arguments: { text: "hi" } })
        expect(result.content).toEqual([{ type: "text", text: "hi (learned by tools/call)" }])
        expect(events).toEqual([
          "learns tools/call",
          "refuses sees learned by tools/call",
          "counts sees learned by tools/call",
          "counts end success",
          "learns end success",
          "counts later",
          "outside sees undefined"
        ])
      })
    )

    it.effect("run the ends of the guards before a refusal or a defect, and none after", () =>
      Effect.gen(function* () {
        events.length = 0
        const refused = yield* Effect.flip(handle("tools/call", { name: "echo", arguments: { text: "refuse" } }))
        expect(refused._tag).toBe("Refused")
        expect(events).toEqual([
          "learns tools/call",
          "refuses sees learned by tools/call",
          "learns end failure",
          "outside sees undefined"
        ])
        events.length = 0
        // A guard that throws is a defect, which containment (outside the guards) answers as an internal error.
        const failed = yield* Effect.flip(handle("tools/call", { name: "echo", arguments: { text: "throw" } }))
        expect(failed).toMatchObject({ _tag: "McpError", code: -32603 })
        expect(events).toEqual([
          "learns tools/call",
          "refuses sees learned by tools/call",
          "learns end defect",
          "outside sees undefined"
        ])
      })
    )

    it.effect("let a guard that must wait wrap the guards after it, with every end run in order", () =>
      Effect.gen(function* () {
        events.length = 0
        const result = yield* handle("tools/call", { name: "echo", arguments: { text: "wait" } })
        expect(result.content).toEqual([{ type: "text", text: "wait (learned by tools/call)" }])
        expect(events).toEqual([
          "learns tools/call",
          "refuses sees learned by tools/call",
          "waits waited",
          "counts sees learned by tools/call",
          "counts end success",
          "counts later",
          "waits end success",
          "learns end success",
          "outside sees undefined"
        ])
      })
    )

    it.effect("run the ends of a cancelled request", () =>
      Effect.gen(function* () {
        events.length = 0
        const fiber = yield* Effect.forkChild(handle("tools/call", { name: "hang", arguments: {} }))
        yield* Deferred.await(started)
        yield* Fiber.interrupt(fiber)
        expect(events.filter((event) => event.includes(" end ") || event.includes("later"))).toEqual([
          "counts end interrupted",
          "learns end interrupted",
          "counts later"
        ])
      })
    )
  })
})
