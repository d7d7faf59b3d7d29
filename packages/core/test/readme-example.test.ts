// #region readme
import { Catalog, makeRequest, Notifier, Pipeline, Plugin, Tool, ToolError } from "@bulwark/core"
import { Effect, Layer, Schema } from "effect"

// A tool: Effect Schema in (the client sees JSON Schema 2020-12), typed result out, typed domain errors.
const convert = Tool.make("convert_temperature", {
  description: "Converts a temperature between Celsius and Fahrenheit.",
  input: Schema.Struct({
    value: Schema.Finite,
    to: Schema.Literals(["celsius", "fahrenheit"])
  }),
  output: Schema.Struct({ value: Schema.Finite, unit: Schema.String }),
  // The only errors an agent may see; anything else a handler lets through is an internal error.
  errors: [ToolError],
  hints: { readOnly: true, idempotent: true },
  handler: ({ value, to }) =>
    value < -459.67 && to === "celsius"
      ? Effect.fail(new ToolError({ message: "Below absolute zero; check the input value." }))
      : Effect.succeed(
          to === "celsius" ? { value: ((value - 32) * 5) / 9, unit: "°C" } : { value: (value * 9) / 5 + 32, unit: "°F" }
        )
})

// A plugin is a value; its handlers' needs (none here) come from a layer when it is installed.
export const Weather = Plugin.make({ name: "weather", version: "1.0.0", tools: [convert] })

// The pipeline every transport feeds, compiled once from the installed plugins.
export const PipelineLive = Pipeline.layer().pipe(Layer.provide(Catalog.layer([Weather])), Layer.provide(Notifier.none))

// Any transport turns its requests into an McpRequest; an application can also call the pipeline directly.
export const callTool = (name: string, args: Record<string, unknown>) =>
  Effect.flatMap(Pipeline.Pipeline, (pipeline) => pipeline.handle(makeRequest("tools/call", { name, arguments: args })))

// #endregion readme

import { describe, expect, it } from "@effect/vitest"

describe("README example", () => {
  it.effect("converts, reports bad input by field, and turns domain errors into tool errors", () =>
    Effect.gen(function* () {
      const ok = yield* callTool("convert_temperature", { value: 212, to: "celsius" })
      expect(ok.structuredContent).toEqual({ value: 100, unit: "°C" })
      const bad = yield* callTool("convert_temperature", { value: "hot", to: "kelvin" })
      expect(bad.isError).toBe(true)
      expect(JSON.stringify(bad.content)).toContain("value: Expected")
      expect(JSON.stringify(bad.content)).toContain("to: Expected")
      const domain = yield* callTool("convert_temperature", { value: -1000, to: "celsius" })
      expect(domain).toEqual({
        content: [{ type: "text", text: "Below absolute zero; check the input value." }],
        isError: true
      })
    }).pipe(Effect.provide(PipelineLive))
  )
})
