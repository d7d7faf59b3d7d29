import { Plugin, Tool } from "@bulwark/core"
import { Effect, Schema } from "effect"

/** The tool every benchmark server answers: echo the text back, as the bare baseline does. */
export const EchoPlugin = Plugin.make({
  name: "echo",
  version: "1.0.0",
  tools: [
    Tool.make("echo", {
      description: "Echoes the text.",
      input: Schema.Struct({ text: Schema.String }),
      handler: ({ text }) => Effect.succeed(text)
    })
  ]
})
