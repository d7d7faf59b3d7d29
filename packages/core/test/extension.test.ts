/**
 * The pipeline's open joints: stages contributed to named phases run where their phase says, see the facts earlier
 * stages handed on (the decoded input, the deadline), and need no edit to core; methods contributed to the table are
 * served, with their capabilities announced; `pipeline.stages` lists the order.
 */
import {
  type Call,
  Catalog,
  Deadline,
  type Method,
  makeRequest,
  Notifier,
  Pipeline,
  Plugin,
  Stage,
  Tool
} from "@bulwark/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"

const echo = Tool.make("echo", {
  description: "Echoes",
  input: Schema.Struct({ text: Schema.String }),
  handler: ({ text }) => Effect.succeed(text)
})

const seen: Array<string> = []

/** A caching-like stage in the `reuse` phase: answers a repeated call without running the tool. */
const reuse = Stage.make("answer-again", "reuse", (next) => (call: Call) => {
  seen.push(`reuse sees input ${JSON.stringify(call.input)}`)
  return call.target._tag === "ToolCall" && (call.input as { text?: string } | undefined)?.text === "cached"
    ? Effect.succeed({ content: [{ type: "text", text: "from the cache" }] })
    : next(call)
})

/** A stage in `execute` after the deadline: it can read how long the request may take. */
const watch = Stage.make(
  "watch-deadline",
  "execute",
  (next) => (call) =>
    Effect.flatMap(Deadline, (deadline) => {
      seen.push(`execute sees a deadline of ${deadline?.timeoutMs} ms`)
      return next(call)
    }),
  { order: 1 }
)

/** An observer contributed to `observe`: it sees every request end, refusals included. */
const observed: Array<string> = []
const observe = Stage.make(
  "observer",
  "observe",
  (next) => (call) => next(call).pipe(Effect.onExit(() => Effect.sync(() => observed.push(call.request.method)))),
  { order: 5 }
)

/** An extension method (as `tasks/*` will be): resolved into an Extension target, served at the end of the chain. */
const ping: Method = {
  name: "acme/ping",
  custom: true,
  resolve: (params) => ({ _tag: "Extension", method: "acme/ping", name: String(params.who ?? "") }),
  serve: (call) => Effect.succeed({ pong: call.target._tag === "Extension" ? call.target.name : null }),
  capabilities: { extensions: { "com.acme/ping": { version: "1" } } }
}

const PipelineLive = Pipeline.layer({
  ...Pipeline.defaultConfig,
  stages: [watch, reuse, observe],
  methods: [ping]
}).pipe(
  Layer.provide(Catalog.layer([Plugin.make({ name: "demo", version: "1.0.0", tools: [echo] })])),
  Layer.provide(Notifier.none)
)

describe("extension points", () => {
  it.layer(PipelineLive)((it) => {
    it.effect("lists every stage by phase, contributed ones in their place", () =>
      Effect.gen(function* () {
        const pipeline = yield* Pipeline.Pipeline
        expect(pipeline.stages).toEqual([
          { name: "tracing", phase: "observe" },
          { name: "logging", phase: "observe" },
          { name: "metrics", phase: "observe" },
          { name: "observer", phase: "observe" },
          { name: "containment", phase: "resolve" },
          { name: "malformed-params", phase: "validate" },
          { name: "validation", phase: "validate" },
          { name: "answer-again", phase: "reuse" },
          { name: "deadline", phase: "execute" },
          { name: "watch-deadline", phase: "execute" }
        ])
      })
    )

    it.effect("runs contributed stages after validation with the decoded input and the deadline", () =>
      Effect.gen(function* () {
        const pipeline = yield* Pipeline.Pipeline
        seen.length = 0
        const fresh = yield* pipeline.handle(makeRequest("tools/call", { name: "echo", arguments: { text: "hi" } }))
        expect(fresh.content).toEqual([{ type: "text", text: "hi" }])
        const cached = yield* pipeline.handle(
          makeRequest("tools/call", { name: "echo", arguments: { text: "cached" } })
        )
        expect(cached.content).toEqual([{ type: "text", text: "from the cache" }])
        expect(seen).toEqual([
          'reuse sees input {"text":"hi"}',
          "execute sees a deadline of 30000 ms",
          'reuse sees input {"text":"cached"}'
        ])
        // Invalid arguments never reach the reuse phase.
        yield* pipeline.handle(makeRequest("tools/call", { name: "echo", arguments: { text: 1 } }))
        expect(seen).toHaveLength(3)
      })
    )

    it.effect("serves a contributed method and announces its capabilities beside the core ones", () =>
      Effect.gen(function* () {
        const pipeline = yield* Pipeline.Pipeline
        observed.length = 0
        expect(yield* pipeline.handle(makeRequest("acme/ping", { who: "ada" }))).toEqual({ pong: "ada" })
        expect(observed).toEqual(["acme/ping"])
        expect(pipeline.methods.map((method) => method.name)).toContain("acme/ping")
        expect(pipeline.capabilities).toMatchObject({
          tools: { listChanged: true },
          resources: { subscribe: true, listChanged: true },
          prompts: { listChanged: true },
          completions: {},
          extensions: { "com.acme/ping": { version: "1" } }
        })
        const unknown = yield* Effect.flip(pipeline.handle(makeRequest("acme/other", {})))
        expect(unknown.code).toBe(-32601)
        expect(observed).toEqual(["acme/ping", "acme/other"])
      })
    )
  })
})
