/**
 * A request's effect is a value: a stage may run the rest of the chain twice, one run after the other (a retry) or
 * both at once (a hedge), and every observer, guard and deadline below it sees each run start and end once, with
 * its own facts, as if the runs were separate requests; a run whose observer's start throws leaves nothing of its
 * own (nor of an earlier run) to end.
 */
import { Catalog, makeRequest, Notifier, Pipeline, Plugin, Stage, Tool } from "@bulwark/core"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Schema } from "effect"

/** A fact the guard learns on each run: which run it is. */
const Run = Context.Reference<number>("test/reruns/Run", { defaultValue: () => 0 })

const events: Array<string> = []
let runs = 0

const plugin = Plugin.make({
  name: "demo",
  version: "1.0.0",
  tools: [
    Tool.make("slow", {
      description: "Answers after a turn of the scheduler (runs at once overlap), with the run the guard saw",
      input: Schema.Struct({}),
      handler: () =>
        Effect.withFiber((fiber) => {
          const run = fiber.getRef(Run)
          return Effect.as(Effect.yieldNow, `run ${run}`)
        })
    })
  ]
})

type Mode = "retry" | "hedge"

/**
 * Runs the rest of the chain twice, one run after the other or both at once, from where it sits: just outside the
 * observer, the guard or the deadline, so that what runs twice is that stage's own effect.
 */
const twice = (mode: Mode, phase: Stage.Phase, order: number) =>
  Stage.make(
    "twice",
    phase,
    (next) => (call) => {
      const rest = next(call)
      return mode === "retry"
        ? Effect.andThen(rest, rest)
        : Effect.map(Effect.all([rest, rest], { concurrency: 2 }), ([first, second]) => ({
            ...first,
            content: [...(first.content as ReadonlyArray<unknown>), ...(second.content as ReadonlyArray<unknown>)]
          }))
    },
    { order }
  )

let starts = 0

const watcher = Stage.observer(
  "watcher",
  "observe",
  () => {
    starts += 1
    const start = starts
    events.push(`observer start ${start}`)
    return () => {
      events.push(`observer end ${start}`)
      return undefined
    }
  },
  { order: 10 }
)

const counter = Stage.guard("counter", "admit", (_call, context) => {
  runs += 1
  const run = runs
  events.push(`guard ${run}`)
  return Stage.admitted({
    context: Context.add(context, Run, run),
    end: () => {
      events.push(`guard end ${run}`)
      return undefined
    }
  })
})

const placements = {
  "the observer": ["observe", 5],
  "the guard": ["admit", -1],
  "the deadline": ["execute", -1]
} as const

const pipelineWith = (mode: Mode, place: keyof typeof placements) =>
  Pipeline.layer({
    ...Pipeline.defaultConfig,
    stages: [twice(mode, placements[place][0], placements[place][1]), watcher, counter]
  }).pipe(Layer.provide(Catalog.layer([plugin])), Layer.provide(Notifier.none))

const call = Effect.flatMap(Pipeline.Pipeline, (pipeline) =>
  pipeline.handle(makeRequest("tools/call", { name: "slow", arguments: {} }))
)

const once = (event: string) => events.filter((seen) => seen === event).length === 1

describe("the rest of the chain run twice", () => {
  for (const place of Object.keys(placements) as Array<keyof typeof placements>) {
    it.layer(pipelineWith("retry", place))((it) => {
      it.effect(`from outside ${place}, one run after the other: each run starts and ends once`, () =>
        Effect.gen(function* () {
          events.length = 0
          runs = 0
          starts = 0
          const result = yield* call
          expect(result.content).toEqual([{ type: "text", text: place === "the deadline" ? "run 1" : "run 2" }])
          const observed = place === "the observer" ? 2 : 1
          const guarded = place === "the deadline" ? 1 : 2
          for (let i = 1; i <= observed; i++)
            expect(once(`observer start ${i}`) && once(`observer end ${i}`)).toBe(true)
          for (let i = 1; i <= guarded; i++) expect(once(`guard ${i}`) && once(`guard end ${i}`)).toBe(true)
          expect(events.length).toBe(observed * 2 + guarded * 2)
        })
      )
    })

    it.layer(pipelineWith("hedge", place))((it) => {
      it.effect(`from outside ${place}, both at once: each run starts and ends once, and answers`, () =>
        Effect.gen(function* () {
          events.length = 0
          runs = 0
          starts = 0
          const result = yield* call
          const observed = place === "the observer" ? 2 : 1
          const guarded = place === "the deadline" ? 1 : 2
          expect(result.content).toEqual(
            guarded === 2
              ? [
                  { type: "text", text: "run 1" },
                  { type: "text", text: "run 2" }
                ]
              : [
                  { type: "text", text: "run 1" },
                  { type: "text", text: "run 1" }
                ]
          )
          for (let i = 1; i <= observed; i++)
            expect(once(`observer start ${i}`) && once(`observer end ${i}`)).toBe(true)
          for (let i = 1; i <= guarded; i++) expect(once(`guard ${i}`) && once(`guard end ${i}`)).toBe(true)
          expect(events.length).toBe(observed * 2 + guarded * 2)
        })
      )
    })
  }
})

/** An observer whose second start throws (a bug in it): its other runs end as usual, each once. */
let flakyStarts = 0
const flaky = Stage.observer(
  "flaky",
  "observe",
  () => {
    flakyStarts += 1
    const start = flakyStarts
    if (start === 2) throw new Error("observer bug")
    return () => {
      events.push(`flaky end ${start}`)
      return undefined
    }
  },
  { order: 10 }
)

/** Runs the rest of the chain three times, one after the other, whatever the second run's end. */
const thrice = Stage.make(
  "thrice",
  "observe",
  (next) => (call) => {
    const rest = next(call)
    return Effect.andThen(rest, Effect.andThen(Effect.exit(rest), rest))
  },
  { order: 5 }
)

describe("an observer whose start throws on a run", () => {
  it.layer(
    Pipeline.layer({ ...Pipeline.defaultConfig, stages: [thrice, flaky] }).pipe(
      Layer.provide(Catalog.layer([plugin])),
      Layer.provide(Notifier.none)
    )
  )((it) => {
    it.effect("leaves that run nothing to end, and the runs before and after end once each", () =>
      Effect.gen(function* () {
        events.length = 0
        flakyStarts = 0
        const result = yield* call
        expect(result.content).toEqual([{ type: "text", text: "run 0" }])
        expect(events).toEqual(["flaky end 1", "flaky end 3"])
      })
    )
  })
})
