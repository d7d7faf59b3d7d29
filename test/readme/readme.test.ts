// #region readme
import { Plugin, Tool, ToolError } from "@bulwark/core"
import { Effect, Schema } from "effect"

export const Weather = Plugin.make({
  name: "weather",
  version: "1.0.0",
  tools: [
    Tool.make("convert_temperature", {
      description: "Converts a temperature between Celsius and Fahrenheit.",
      input: Schema.Struct({ value: Schema.Finite, to: Schema.Literals(["celsius", "fahrenheit"]) }),
      output: Schema.Struct({ value: Schema.Finite, unit: Schema.String }),
      errors: [ToolError],
      hints: { readOnly: true, idempotent: true },
      handler: ({ value, to }) =>
        value < -459.67
          ? Effect.fail(new ToolError({ message: "Below absolute zero; check the input value." }))
          : Effect.succeed(
              to === "celsius"
                ? { value: ((value - 32) * 5) / 9, unit: "°C" }
                : { value: (value * 9) / 5 + 32, unit: "°F" }
            )
    })
  ]
})

// #endregion readme

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Catalog, makeRequest, Notifier, Pipeline } from "@bulwark/core"
import { loadConfig, nodeFlags } from "@bulwark/server"
import { describe, expect, it } from "@effect/vitest"
import { Layer } from "effect"

const call = (args: Record<string, unknown>) =>
  Effect.flatMap(Pipeline.Pipeline, (pipeline) =>
    pipeline.handle(makeRequest("tools/call", { name: "convert_temperature", arguments: args }))
  ).pipe(Effect.provide(Pipeline.layer().pipe(Layer.provide(Catalog.layer([Weather])), Layer.provide(Notifier.none))))

describe("README: writing a plugin", () => {
  it.effect("converts, and turns the domain error into a tool error", () =>
    Effect.gen(function* () {
      expect((yield* call({ value: 100, to: "fahrenheit" })).structuredContent).toEqual({ value: 212, unit: "°F" })
      const cold = yield* call({ value: -500, to: "celsius" })
      expect(cold.isError).toBe(true)
    })
  )
})

describe("README: tenants", () => {
  it.effect("the tenants example is a valid configuration", () =>
    Effect.gen(function* () {
      const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8")
      const yaml = /## Tenants, limits and the audit log[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1]
      expect(yaml).toBeDefined()
      const dir = mkdtempSync(join(tmpdir(), "bulwark-readme-"))
      const file = join(dir, "bulwark.yaml")
      writeFileSync(file, yaml!)
      const config = yield* loadConfig({ file, env: {} })
      rmSync(dir, { recursive: true })
      expect(config.tenancy.tenants.map((tenant) => tenant.id)).toEqual(["acme", "globex"])
    })
  )
})

describe("pnpm start", () => {
  it("runs the direct entry point, which runs the server with the heap settings the server documents (nodeFlags)", () => {
    const scripts = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).scripts
    expect(scripts.start).toBe("apps/server/bin/bulwark")
    const entry = readFileSync(new URL("../../apps/server/bin/bulwark", import.meta.url), "utf8")
    expect(entry).toContain(`exec "$node" ${nodeFlags.join(" ")} "$here/../src/main.ts" "$@"`)
  })
})

describe("the example configuration", () => {
  it.effect("apps/server/bulwark.example.yaml is valid and says what the defaults are", () =>
    Effect.gen(function* () {
      const file = new URL("../../apps/server/bulwark.example.yaml", import.meta.url).pathname
      const fromFile = yield* loadConfig({ file, env: {} })
      const defaults = yield* loadConfig({ file: undefined, env: {} })
      // `embedded.inMemory: false` is written out in the example; leaving it out means the same.
      expect(fromFile.database.embedded).toEqual({ inMemory: false })
      // `dataDir: .bulwark` in a file is next to the file, which is where the default puts it when there is a file
      // (without one, the user's data directory).
      expect(fromFile.dataDir).toBe(new URL("../../apps/server/.bulwark", import.meta.url).pathname)
      expect(defaults.dataDir).toMatch(/\/bulwark$/)
      expect({ ...fromFile, dataDir: "", database: { ...fromFile.database, embedded: undefined } }).toEqual({
        ...defaults,
        dataDir: "",
        database: { ...defaults.database, embedded: undefined }
      })
    })
  )
})
