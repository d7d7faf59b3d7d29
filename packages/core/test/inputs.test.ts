/**
 * Tool and prompt inputs are closed: an argument the schema does not name is refused with a message naming it and the
 * accepted ones (a misspelt argument must not silently change what a tool does), and the published JSON Schema says
 * so (`additionalProperties: false`). A tool opts in to extra keys in its schema, and then both agree.
 */
import { Catalog, makeRequest, Notifier, Pipeline, Plugin, Prompt, Tool } from "@bulwark/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"

const create = Tool.make("create_ticket", {
  description: "Creates a ticket",
  input: Schema.Struct({
    title: Schema.String,
    reporterId: Schema.Int,
    assigneeId: Schema.optionalKey(Schema.Int),
    labels: Schema.optionalKey(Schema.Struct({ team: Schema.String }))
  }),
  handler: ({ title, assigneeId }) => Effect.succeed(`${title} for ${assigneeId ?? "nobody"}`)
})

const search = Tool.make("search", {
  description: "Searches with any extra filters the backend understands",
  input: Schema.StructWithRest(Schema.Struct({ query: Schema.String }), [Schema.Record(Schema.String, Schema.Json)]),
  handler: (input) => Effect.succeed(JSON.stringify(input))
})

const echo = Tool.make("echo", {
  description: "Passes raw bytes to a backend that stores them",
  input: Schema.Struct({ bytes: Schema.String }),
  allowNulCharacters: true,
  handler: ({ bytes }) => Effect.succeed(`${bytes.length} characters`)
})

const greet = Prompt.make("greet", {
  description: "Greets",
  args: Schema.Struct({ name: Schema.String }),
  handler: ({ name }) => Effect.succeed([Prompt.user(`Hello ${name}`)])
})

const PipelineLive = Pipeline.layer().pipe(
  Layer.provide(
    Catalog.layer([Plugin.make({ name: "demo", version: "1.0.0", tools: [create, search, echo], prompts: [greet] })])
  ),
  Layer.provide(Notifier.none)
)

const call = (name: string, args: Record<string, unknown>) =>
  Effect.flatMap(Pipeline.Pipeline, (pipeline) => pipeline.handle(makeRequest("tools/call", { name, arguments: args })))

const textOf = (result: Record<string, unknown>) => (result.content as Array<{ text: string }>)[0]?.text

describe("closed inputs", () => {
  it.layer(PipelineLive)((it) => {
    it.effect("refuse an unknown argument, naming it and the accepted ones, at every level", () =>
      Effect.gen(function* () {
        const misspelt = yield* call("create_ticket", { title: "x", reporterId: 1, assignee_id: 2 })
        expect(misspelt.isError).toBe(true)
        expect(textOf(misspelt)).toBe(
          'Invalid arguments for tool "create_ticket": assignee_id: unknown argument (accepted: title, reporterId, assigneeId, labels)'
        )
        const nested = yield* call("create_ticket", { title: "x", reporterId: 1, labels: { team: "a", tem: "b" } })
        expect(textOf(nested)).toContain("labels.tem: unknown argument (accepted: team)")
        const fine = yield* call("create_ticket", { title: "x", reporterId: 1, assigneeId: 2 })
        expect(textOf(fine)).toBe("x for 2")
      })
    )

    it.effect("are published closed, and a tool that accepts extra keys says so and gets them", () =>
      Effect.gen(function* () {
        const pipeline = yield* Pipeline.Pipeline
        const { tools } = (yield* pipeline.handle(makeRequest("tools/list"))) as {
          tools: Array<{ name: string; inputSchema: Record<string, unknown> }>
        }
        const created = tools.find((tool) => tool.name === "create_ticket")!
        expect(created.inputSchema.additionalProperties).toBe(false)
        expect(
          (created.inputSchema.properties as Record<string, Record<string, unknown>>).labels?.additionalProperties
        ).toBe(false)
        const searching = tools.find((tool) => tool.name === "search")!
        expect(JSON.stringify(searching.inputSchema)).not.toContain('"additionalProperties":false')
        expect(textOf(yield* call("search", { query: "printer", floor: 3 }))).toBe('{"query":"printer","floor":3}')
      })
    )

    it.effect("refuse NUL characters in text, in values and keys at any depth, unless the tool allows them", () =>
      Effect.gen(function* () {
        const inTitle = yield* call("create_ticket", { title: "a\u0000b", reporterId: 1 })
        expect(inTitle.isError).toBe(true)
        expect(textOf(inTitle)).toBe(
          'Invalid arguments for tool "create_ticket": title: must not contain NUL characters (U+0000)'
        )
        const nested = yield* call("search", { query: "x", filters: [{ tag: "ok" }, { tag: "\u0000" }] })
        expect(textOf(nested)).toContain("filters[1].tag: must not contain NUL characters")
        const key = yield* call("search", { query: "x", "a\u0000": 1 })
        expect(textOf(key)).toContain("a\\u0000: must not contain NUL characters")
        expect(textOf(yield* call("echo", { bytes: "a\u0000b" }))).toBe("3 characters")
        const prompt = yield* Effect.flip(
          (yield* Pipeline.Pipeline).handle(
            makeRequest("prompts/get", { name: "greet", arguments: { name: "\u0000" } })
          )
        )
        expect(prompt.code).toBe(-32602)
        expect(prompt.message).toContain("name: must not contain NUL characters")
      })
    )

    it.effect("hold for prompt arguments too", () =>
      Effect.gen(function* () {
        const pipeline = yield* Pipeline.Pipeline
        const error = yield* Effect.flip(
          pipeline.handle(makeRequest("prompts/get", { name: "greet", arguments: { name: "Ada", nmae: "x" } }))
        )
        expect(error.code).toBe(-32602)
        expect(error.message).toContain("nmae: unknown argument (accepted: name)")
      })
    )
  })
})
