// #region readme
import { Plugin, Tool, ToolError } from "@bulwark/core"
import { BulwarkServer, decodeConfig } from "@bulwark/server"
import { Effect, Layer, Schema } from "effect"

// Your plugin: a value, with the domain errors an agent may see declared.
const Weather = Plugin.make({
  name: "weather",
  version: "1.0.0",
  tools: [
    Tool.make("forecast", {
      description: "Tomorrow's weather for a city.",
      input: Schema.Struct({ city: Schema.NonEmptyString }),
      errors: [ToolError],
      handler: ({ city }) =>
        city === "Atlantis"
          ? Effect.fail(new ToolError({ message: "No forecast for that city; pass a real one." }))
          : Effect.succeed(`Sunny in ${city}`)
    })
  ]
})

// The whole production stack (API keys, tenants, limits, audit, metrics, health, the admin API when enabled)
// serving your plugin next to the ones the configuration enables.
export const myServer = (port: number, apiKey: string) =>
  Effect.map(
    decodeConfig({
      http: { port },
      plugins: { tickets: { enabled: false }, reports: { enabled: false } },
      bootstrapApiKey: apiKey
    }),
    (config) => BulwarkServer.http(config, { inMemory: true, plugins: [Plugin.install(Weather, Layer.empty)] })
  )

// #endregion readme

import { freePort } from "@bulwark/database/testing"
import { generateApiKey } from "@bulwark/identity"
import { describe, expect, it } from "@effect/vitest"
import { Redacted, References } from "effect"

describe("README: your own server from the same layers", () => {
  it.live(
    "serves your plugin behind API keys, tenancy and audit",
    () =>
      Effect.gen(function* () {
        const port = yield* Effect.promise(freePort)
        const key = Redacted.value(generateApiKey().key)
        const server = yield* myServer(port, key)
        yield* Effect.scoped(
          Effect.gen(function* () {
            yield* Layer.build(server)
            const call = (headers: Record<string, string>, city: string) =>
              Effect.promise(() =>
                fetch(`http://127.0.0.1:${port}/mcp`, {
                  method: "POST",
                  headers: {
                    "content-type": "application/json",
                    accept: "application/json, text/event-stream",
                    ...headers
                  },
                  body: JSON.stringify({
                    jsonrpc: "2.0",
                    id: 1,
                    method: "tools/call",
                    params: { name: "forecast", arguments: { city } }
                  })
                }).then(async (response) => ({ status: response.status, text: await response.text() }))
              )
            expect((yield* call({}, "Lisbon")).status).toBe(401)
            const sunny = yield* call({ authorization: `Bearer ${key}` }, "Lisbon")
            expect(sunny.text).toContain("Sunny in Lisbon")
            const atlantis = yield* call({ authorization: `Bearer ${key}` }, "Atlantis")
            expect(atlantis.text).toContain('"isError":true')
            expect(atlantis.text).toContain("No forecast for that city")
          })
        )
      }).pipe(Effect.provideService(References.MinimumLogLevel, "Error")),
    30_000
  )
})
