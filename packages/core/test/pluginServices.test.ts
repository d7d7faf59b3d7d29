/**
 * A handler runs with the services its plugin was built with and with the request's own context: the request's
 * value wins where both have one, and a plugin without services costs the request nothing.
 */
import { Catalog, Deadline, makeRequest, Notifier, Pipeline, Plugin, Tool } from "@bulwark/core"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Schema } from "effect"

class Greeting extends Context.Service<Greeting, { readonly word: string }>()("test/Greeting") {}
class Punctuation extends Context.Service<Punctuation, { readonly mark: string }>()("test/Punctuation") {}

const greeter = Plugin.make({
  name: "greeter",
  version: "1.0.0",
  tools: [
    Tool.make("greet", {
      description: "Greets with the plugin's words, and says how long it has",
      input: Schema.Struct({ name: Schema.String }),
      handler: ({ name }) =>
        Effect.gen(function* () {
          const { word } = yield* Greeting
          const { mark } = yield* Punctuation
          const deadline = yield* Deadline
          return `${word} ${name}${mark} (${deadline?.timeoutMs} ms)`
        })
    })
  ]
})

const plain = Plugin.make({
  name: "plain",
  version: "1.0.0",
  tools: [
    Tool.make("echo", {
      description: "Echoes",
      input: Schema.Struct({ text: Schema.String }),
      handler: ({ text }) => Effect.succeed(text)
    })
  ]
})

const installed = [
  Plugin.install(
    greeter,
    Layer.mergeAll(Layer.succeed(Greeting, { word: "Hello" }), Layer.succeed(Punctuation, { mark: "!" }))
  ),
  Plugin.install(plain, Layer.empty)
]

const Live = Pipeline.layer().pipe(Layer.provide(Catalog.layerInstalled(installed)), Layer.provide(Notifier.none))

const call = (name: string, args: Record<string, unknown>) =>
  Effect.flatMap(Pipeline.Pipeline, (pipeline) => pipeline.handle(makeRequest("tools/call", { name, arguments: args })))

describe("a plugin's services", () => {
  it.layer(Live)((it) => {
    it.effect("reach its handlers together with the request's own context", () =>
      Effect.gen(function* () {
        const result = yield* call("greet", { name: "Ada" })
        expect(result.content).toEqual([{ type: "text", text: "Hello Ada! (30000 ms)" }])
        expect((yield* call("echo", { text: "hi" })).content).toEqual([{ type: "text", text: "hi" }])
      })
    )

    it.effect("give way to the request's value where both have one", () =>
      Effect.gen(function* () {
        const result = yield* call("greet", { name: "Ada" }).pipe(Effect.provideService(Punctuation, { mark: "?" }))
        expect(result.content).toEqual([{ type: "text", text: "Hello Ada? (30000 ms)" }])
      })
    )
  })
})
