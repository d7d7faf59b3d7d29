import {
  Catalog,
  type McpRequest,
  makeRequest,
  Notifier,
  Pipeline,
  Plugin,
  Prompt,
  Resource,
  Tool,
  ToolError
} from "@bulwark/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Schema } from "effect"
import { TestClock } from "effect/testing"

const Ticket = Schema.Struct({ id: Schema.Int, title: Schema.String })

const plugin = Plugin.make({
  name: "demo",
  version: "1.0.0",
  tools: [
    Tool.make("create", {
      description: "Create a ticket",
      input: Schema.Struct({
        title: Schema.String.check(Schema.isMinLength(1)),
        priority: Schema.Literals(["low", "high"])
      }),
      output: Ticket,
      errors: [ToolError],
      hints: { idempotent: false, destructive: false },
      handler: ({ title }) =>
        title === "dup"
          ? Effect.fail(new ToolError({ message: "A ticket with this title exists" }))
          : Effect.succeed({ id: 1, title })
    }),
    Tool.make("explode", {
      description: "Always fails unexpectedly",
      input: Schema.Struct({}),
      handler: () => Effect.die(new Error("secret internal detail"))
    }),
    Tool.make("leaky", {
      description: "Lets a database error through (as a plugin written without types could)",
      input: Schema.Struct({}),
      handler: () =>
        Effect.fail({
          _tag: "SqlError",
          message: 'relation "secret_table" does not exist at db.internal:5432'
        }) as unknown as Effect.Effect<string>
    }),
    Tool.make("decodes", {
      description: "Decodes with a schema inside the handler and lets the decoding error through",
      input: Schema.Struct({}),
      errors: [ToolError],
      handler: () =>
        Schema.decodeUnknownEffect(Schema.Struct({ secretColumn: Schema.Number }))({ secretColumn: "x" }).pipe(
          Effect.as("decoded")
        ) as unknown as Effect.Effect<string, ToolError>
    }),
    Tool.make("slow", {
      description: "Takes too long",
      input: Schema.Struct({}),
      timeout: "50 millis",
      handler: () => Effect.sleep("5 seconds").pipe(Effect.as("done"))
    }),
    Tool.make("confirm", {
      description: "Asks before acting",
      input: Schema.Struct({}),
      handler: (_, ctx) =>
        Effect.map(
          ctx.elicit("ok", { message: "Sure?", schema: Schema.Struct({ confirm: Schema.Boolean }) }),
          (outcome) => (outcome.action === "accept" && outcome.content.confirm ? "confirmed" : "not confirmed")
        )
    })
  ],
  resources: [
    Resource.template("demo://{id}", {
      name: "demo item",
      mimeType: "application/json",
      read: ({ id }) => Effect.succeed({ text: JSON.stringify({ id }) }),
      complete: { id: (value) => Effect.succeed(["1", "12", "2"].filter((v) => v.startsWith(value))) }
    })
  ],
  prompts: [
    Prompt.make("greet", {
      description: "Greets",
      args: Schema.Struct({ name: Schema.String }),
      handler: ({ name }) => Effect.succeed([Prompt.user(`Hello ${name}`)])
    })
  ]
})

const PipelineLive = Pipeline.layer().pipe(Layer.provide(Catalog.layer([plugin])), Layer.provide(Notifier.none))

const request = makeRequest

const handle = (req: McpRequest) => Effect.flatMap(Pipeline.Pipeline, (p) => p.handle(req))

describe("Pipeline", () => {
  it.layer(PipelineLive)((it) => {
    it.effect("lists tools with JSON Schema 2020-12 and annotations", () =>
      Effect.gen(function* () {
        const result = (yield* handle(request("tools/list", {}))) as { tools: Array<Record<string, unknown>> }
        const create = result.tools.find((t) => t.name === "create")!
        expect(create.inputSchema).toMatchObject({
          type: "object",
          required: ["title", "priority"]
        })
        expect(create.outputSchema).toMatchObject({ type: "object" })
        expect(create.annotations).toEqual({ idempotentHint: false, destructiveHint: false })
      })
    )

    it.effect("returns structured content and a text rendering", () =>
      Effect.gen(function* () {
        const result = yield* handle(
          request("tools/call", { name: "create", arguments: { title: "a", priority: "low" } })
        )
        expect(result.structuredContent).toEqual({ id: 1, title: "a" })
        expect(result.content).toEqual([{ type: "text", text: '{"id":1,"title":"a"}' }])
      })
    )

    it.effect("names each invalid field and what was expected", () =>
      Effect.gen(function* () {
        const result = yield* handle(request("tools/call", { name: "create", arguments: { title: 3 } }))
        expect(result.isError).toBe(true)
        const text = (result.content as Array<{ text: string }>)[0]!.text
        expect(text).toContain("title: Expected string")
        expect(text).toContain("priority: Missing key")
      })
    )

    it.effect("turns a domain error into an isError result", () =>
      Effect.gen(function* () {
        const result = yield* handle(
          request("tools/call", { name: "create", arguments: { title: "dup", priority: "low" } })
        )
        expect(result).toEqual({ content: [{ type: "text", text: "A ticket with this title exists" }], isError: true })
      })
    )

    it.effect("turns a defect into an internal error with only the request id", () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(handle(request("tools/call", { name: "explode", arguments: {} })))
        expect(error.code).toBe(-32603)
        expect(error.message).toMatch(/^Internal error \(request id [0-9a-f-]{36}\)$/)
        expect(JSON.stringify(error.data)).not.toContain("secret")
      })
    )

    it.effect("never shows an infrastructure error's message to the agent", () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(handle(request("tools/call", { name: "leaky", arguments: {} })))
        expect(error.code).toBe(-32603)
        expect(JSON.stringify(error)).not.toContain("secret_table")
      })
    )

    it.effect("shows the agent only errors the tool declares: a leaked decoding error is an internal error", () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(handle(request("tools/call", { name: "decodes", arguments: {} })))
        expect(error.code).toBe(-32603)
        expect(error.message).toMatch(/^Internal error \(request id [0-9a-f-]{36}\)$/)
        expect(JSON.stringify(error)).not.toContain("secretColumn")
      })
    )

    it.effect("rejects an unknown tool with invalid params", () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(handle(request("tools/call", { name: "nope" })))
        expect(error.code).toBe(-32602)
        expect(error.message).toBe("Unknown tool: nope")
      })
    )

    it.effect("times a tool out with its own limit", () =>
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(handle(request("tools/call", { name: "slow", arguments: {} })))
        yield* TestClock.adjust("60 millis")
        const result = yield* Fiber.join(fiber)
        expect(result).toEqual({
          content: [{ type: "text", text: 'Tool "slow" timed out after 50 ms; it may succeed if retried later.' }],
          isError: true
        })
      })
    )

    it.effect("asks for input, then uses the answer on retry", () =>
      Effect.gen(function* () {
        const first = yield* handle(request("tools/call", { name: "confirm", arguments: {} }))
        expect(first.resultType).toBe("input_required")
        const second = yield* handle(
          request(
            "tools/call",
            { name: "confirm", arguments: {} },
            { inputResponses: { ok: { action: "accept", content: { confirm: true } } } }
          )
        )
        expect(second.content).toEqual([{ type: "text", text: "confirmed" }])
      })
    )

    it.effect("reads template resources, completes variables, gets prompts", () =>
      Effect.gen(function* () {
        const read = yield* handle(request("resources/read", { uri: "demo://42" }))
        expect(read.contents).toEqual([{ uri: "demo://42", text: '{"id":"42"}', mimeType: "application/json" }])
        const missing = yield* Effect.flip(handle(request("resources/read", { uri: "other://1" })))
        expect(missing.code).toBe(-32002)
        const completion = yield* handle(
          request("completion/complete", {
            ref: { type: "ref/resource", uri: "demo://{id}" },
            argument: { name: "id", value: "1" }
          })
        )
        expect(completion.completion).toEqual({ values: ["1", "12"], total: 2, hasMore: false })
        const prompt = yield* handle(request("prompts/get", { name: "greet", arguments: { name: "Ada" } }))
        expect(prompt.messages).toEqual([{ role: "user", content: { type: "text", text: "Hello Ada" } }])
        const bad = yield* Effect.flip(handle(request("prompts/get", { name: "greet", arguments: {} })))
        expect(bad.message).toContain("name: Missing key")
      })
    )
  })
})
