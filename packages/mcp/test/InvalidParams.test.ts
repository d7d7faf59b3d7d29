/**
 * Params of the wrong shape are the client's mistake: -32602 Invalid params with a message naming the field, in
 * both protocol eras, for the methods the SDK validates before any handler runs (the pipeline's methods and its own
 * `initialize` and `logging/setLevel`), never -32603 with the validator's issue list.
 */
import { Catalog, Pipeline, Plugin, Prompt, Resource } from "@bulwark/core"
import { ClientSinks, Endpoint } from "@bulwark/mcp"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"

const demo = Plugin.make({
  name: "demo",
  version: "1.0.0",
  resources: [
    Resource.template("demo://{id}", { name: "demo", read: ({ id }) => Effect.succeed({ text: `item ${id}` }) })
  ],
  prompts: [
    Prompt.make("greet", {
      description: "Greets",
      args: Schema.Struct({ who: Schema.String }),
      handler: ({ who }) => Effect.succeed([Prompt.user(`Hello ${who}`)])
    })
  ]
})

const EndpointLive = Endpoint.layer({ name: "test", version: "0.0.1" }).pipe(
  Layer.provideMerge(Pipeline.layer()),
  Layer.provide(Catalog.layer([demo])),
  Layer.provideMerge(ClientSinks.layer)
)

const envelope = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1.0.0" },
  "io.modelcontextprotocol/clientCapabilities": {}
}

/** The answer to one raw request in the given era. */
const send = (
  endpoint: Endpoint.Endpoint["Service"],
  era: "2025-11-25" | "2026-07-28",
  method: string,
  params: object
) =>
  Effect.promise(async () => {
    const modern = era === "2026-07-28"
    const response = await endpoint.fetch(
      new Request("http://localhost/mcp", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-protocol-version": era,
          ...(modern ? { "mcp-method": method } : {})
        },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method,
          params: modern ? { ...params, _meta: envelope } : params
        })
      })
    )
    const text = await response.text()
    const line = text.split("\n").find((l: string) => l.startsWith("data:"))
    return JSON.parse(line === undefined ? text : line.slice(5)) as { error?: { code: number; message: string } }
  })

const cases: ReadonlyArray<readonly [string, object, string]> = [
  ["resources/read", { uri: null }, "uri"],
  ["prompts/get", { name: 5 }, "name"],
  ["completion/complete", {}, "ref"],
  ["resources/subscribe", {}, "uri"],
  ["logging/setLevel", { level: "loud" }, "level"]
]

describe("params of the wrong shape", () => {
  it.layer(EndpointLive, { timeout: 30_000, excludeTestServices: true })((it) => {
    for (const era of ["2025-11-25", "2026-07-28"] as const) {
      for (const [method, params, field] of cases) {
        it.effect(`${method} ${JSON.stringify(params)} is -32602 naming ${field} (${era})`, () =>
          Effect.gen(function* () {
            const answer = yield* send(yield* Endpoint.Endpoint, era, method, params)
            // Not every method exists in every era: a method the era lacks is -32601, never an internal error.
            expect(answer.error?.code).not.toBe(-32603)
            if (answer.error?.code === -32601) return
            expect(answer.error?.code).toBe(-32602)
            expect(answer.error?.message).toContain(field)
            expect(answer.error?.message).not.toContain('"code"')
            expect(answer.error?.message).not.toContain("\n")
          })
        )
      }
    }
    it.effect("initialize without its fields is -32602 naming them", () =>
      Effect.gen(function* () {
        const answer = yield* send(yield* Endpoint.Endpoint, "2025-11-25", "initialize", { protocolVersion: 5 })
        expect(answer.error?.code).toBe(-32602)
        expect(answer.error?.message).toMatch(/protocolVersion: expected string, received number/)
        expect(answer.error?.message).toContain("capabilities")
      })
    )
  })
})
