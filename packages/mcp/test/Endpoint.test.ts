import { Catalog, Pipeline, Plugin, Resource, Tool } from "@bulwark/core"
import { ClientSinks, Endpoint } from "@bulwark/mcp"
import { describe, expect, it } from "@effect/vitest"
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { Effect, Layer, Schema } from "effect"

const demo = Plugin.make({
  name: "demo",
  version: "1.0.0",
  tools: [
    Tool.make("add", {
      description: "Adds two numbers",
      input: Schema.Struct({ a: Schema.Number, b: Schema.Number }),
      output: Schema.Struct({ sum: Schema.Number }),
      hints: { readOnly: true },
      handler: ({ a, b }) => Effect.succeed({ sum: a + b })
    }),
    Tool.make("confirm", {
      description: "Asks the user before answering",
      input: Schema.Struct({}),
      handler: (_, ctx) =>
        Effect.map(
          ctx.elicit("ok", { message: "Proceed?", schema: Schema.Struct({ confirm: Schema.Boolean }) }),
          (o) => (o.action === "accept" && o.content.confirm ? "confirmed" : `not confirmed (${o.action})`)
        )
    }),
    Tool.make("touch", {
      description: "Publishes an update of demo://1",
      input: Schema.Struct({}),
      handler: (_, ctx) => ctx.notify.resourceUpdated("demo://1").pipe(Effect.as("touched"))
    })
  ],
  resources: [
    Resource.template("demo://{id}", {
      name: "demo",
      read: ({ id }) => Effect.succeed({ text: `item ${id}` })
    })
  ]
})

const EndpointLive = Endpoint.layer({ name: "test", version: "0.0.1", maxBodyBytes: 10_000 }).pipe(
  Layer.provideMerge(Pipeline.layer()),
  Layer.provide(Catalog.layer([demo])),
  Layer.provideMerge(ClientSinks.layer)
)

const connect = (fetch: (request: Request) => Promise<Response>, mode: "auto" | "legacy") =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const client = new Client(
        { name: "test-client", version: "1.0.0" },
        { versionNegotiation: { mode }, capabilities: { elicitation: { form: {} } } }
      )
      client.setRequestHandler("elicitation/create", async () => ({ action: "accept", content: { confirm: true } }))
      await client.connect(
        new StreamableHTTPClientTransport(new URL("http://localhost/mcp"), {
          fetch: (url, init) => fetch(new Request(url, init))
        })
      )
      return client
    }),
    (client) => Effect.promise(() => client.close())
  )

describe("MCP endpoint", () => {
  it.layer(EndpointLive, { timeout: 30_000, excludeTestServices: true })((it) => {
    for (const mode of ["auto", "legacy"] as const) {
      it.effect(`serves tools and resources to a ${mode} client`, () =>
        Effect.gen(function* () {
          const endpoint = yield* Endpoint.Endpoint
          const client = yield* connect(endpoint.fetch, mode)
          expect(client.getNegotiatedProtocolVersion()).toBe(mode === "auto" ? "2026-07-28" : "2025-11-25")
          const tools = yield* Effect.promise(() => client.listTools())
          expect(tools.tools.map((t) => t.name).sort()).toEqual(["add", "confirm", "touch"])
          const sum = yield* Effect.promise(() => client.callTool({ name: "add", arguments: { a: 2, b: 3 } }))
          expect(sum.structuredContent).toEqual({ sum: 5 })
          const bad = yield* Effect.promise(() => client.callTool({ name: "add", arguments: { a: "x", b: 3 } }))
          expect(bad.isError).toBe(true)
          const read = yield* Effect.promise(() => client.readResource({ uri: "demo://7" }))
          expect(read.contents).toEqual([{ uri: "demo://7", text: "item 7" }])
          const confirmed = yield* Effect.promise(() => client.callTool({ name: "confirm", arguments: {} }))
          expect(confirmed.content).toEqual([{ type: "text", text: "confirmed" }])
        }).pipe(Effect.scoped)
      )
    }

    it.effect("opens a session for a 2025 client and tells it about subscribed resource updates", () =>
      Effect.gen(function* () {
        const endpoint = yield* Endpoint.Endpoint
        const client = yield* connect(endpoint.fetch, "legacy")
        expect(endpoint.openSessions()).toBeGreaterThan(0)
        const updated: Array<string> = []
        client.setNotificationHandler("notifications/resources/updated", async (n) => {
          updated.push(n.params.uri)
        })
        yield* Effect.promise(() => client.subscribeResource({ uri: "demo://1" }))
        yield* Effect.promise(() => client.callTool({ name: "touch", arguments: {} }))
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 100)))
        expect(updated).toEqual(["demo://1"])
      }).pipe(Effect.scoped)
    )

    it.effect("rejects foreign hosts, oversized bodies and malformed JSON over HTTP", () =>
      Effect.gen(function* () {
        const endpoint = yield* Endpoint.Endpoint
        const post = (body: string, host = "localhost") =>
          Effect.promise(() =>
            endpoint.fetch(
              new Request(`http://${host}/mcp`, {
                method: "POST",
                headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
                body
              })
            )
          )
        expect((yield* post("{}", "evil.example")).status).toBe(403)
        const big = yield* post(
          JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping", params: { pad: "x".repeat(20_000) } })
        )
        expect(big.status).toBe(413)
        const malformed = yield* post("{not json")
        expect(malformed.status).toBe(400)
        expect(yield* Effect.promise(() => malformed.json())).toMatchObject({ error: { code: -32700 } })
      })
    )
  })
})

describe("the 2025 session cap", () => {
  const Capped = Endpoint.layer({ name: "capped", version: "0.0.1", sessions: { maxSessions: 2 } }).pipe(
    Layer.provideMerge(Pipeline.layer()),
    Layer.provide(Catalog.layer([demo])),
    Layer.provideMerge(ClientSinks.layer)
  )
  it.layer(Capped, { timeout: 30_000, excludeTestServices: true })((it) => {
    it.effect("holds under concurrent initialize requests", () =>
      Effect.gen(function* () {
        const endpoint = yield* Endpoint.Endpoint
        const initialize = (id: number) =>
          endpoint.fetch(
            new Request("http://localhost/mcp", {
              method: "POST",
              headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
              body: JSON.stringify({
                jsonrpc: "2.0",
                id,
                method: "initialize",
                params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "c", version: "1" } }
              })
            })
          )
        const answers = yield* Effect.promise(() => Promise.all([1, 2, 3, 4, 5, 6].map(initialize)))
        const statuses = answers.map((response) => response.status).sort()
        expect(statuses).toEqual([200, 200, 503, 503, 503, 503])
        expect(endpoint.openSessions()).toBe(2)
      })
    )
  })
})
