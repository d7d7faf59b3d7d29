// #region readme
import { Catalog, Pipeline, Plugin, Tool } from "@bulwark/core"
import { ClientSinks, Endpoint, McpHttp, McpNodeServer } from "@bulwark/mcp"
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { Effect, Layer, Schema } from "effect"
import { HttpRouter } from "effect/http"

const Greeter = Plugin.make({
  name: "greeter",
  version: "1.0.0",
  tools: [
    Tool.make("greet", {
      description: "Greets someone by name.",
      input: Schema.Struct({ name: Schema.String }),
      handler: ({ name }) => Effect.succeed(`Hello, ${name}!`)
    })
  ]
})

// One endpoint serves 2026-07-28 clients (stateless) and 2025 clients (sessions where they open one).
export const McpLive = Endpoint.layer({ name: "greeter-server", version: "1.0.0" }).pipe(
  Layer.provideMerge(Pipeline.layer()),
  Layer.provide(Catalog.layer([Greeter])),
  Layer.provideMerge(ClientSinks.layer)
)

// Over HTTP: launch with `Layer.launch(HttpServerLive).pipe(NodeRuntime.runMain)`. McpNodeServer is Node's HTTP
// server with the fast path on /mcp (stateless tool calls straight into the pipeline); what it leaves alone reaches
// the router, where McpHttp.route serves it. The endpoint opens each request's span itself, so the router's own is
// turned off for /mcp. The listening socket is provided first so that it is built last, once the endpoint can answer.
export const httpServer = (port: number) =>
  HttpRouter.serve(McpHttp.route("/mcp")).pipe(
    Layer.provide(McpHttp.routerSpanOff("/mcp")),
    Layer.provideMerge(McpNodeServer.layer({ path: "/mcp", port, host: "127.0.0.1" })),
    Layer.provide(McpLive)
  )
export const HttpServerLive = httpServer(3000)

// In-process ("embedded"): a client in the same process, no network, through the same endpoint and pipeline.
export const greetInProcess = Effect.gen(function* () {
  const endpoint = yield* Endpoint.Endpoint
  const client = new Client({ name: "embedded", version: "1.0.0" }, { versionNegotiation: { mode: "auto" } })
  yield* Effect.promise(() =>
    client.connect(
      new StreamableHTTPClientTransport(new URL("http://localhost/mcp"), {
        fetch: (url, init) => endpoint.fetch(new Request(url, init))
      })
    )
  )
  const result = yield* Effect.promise(() => client.callTool({ name: "greet", arguments: { name: "Ada" } }))
  yield* Effect.promise(() => client.close())
  return result.content
})

// #endregion readme

import { describe, expect, it } from "@effect/vitest"
import { Context } from "effect"
import { HttpServer } from "effect/http"

describe("README example", () => {
  it.live("greets through an in-process client", () =>
    Effect.gen(function* () {
      expect(yield* greetInProcess).toEqual([{ type: "text", text: "Hello, Ada!" }])
    }).pipe(Effect.provide(McpLive))
  )

  it.live("serves the same endpoint over real HTTP", () =>
    Effect.gen(function* () {
      const services = yield* Layer.build(httpServer(0))
      const bound = Context.get(services, HttpServer.HttpServer).address
      const address = bound._tag === "UnixPathAddress" ? 0 : bound.port
      const client = new Client({ name: "http", version: "1.0.0" }, { versionNegotiation: { mode: "auto" } })
      yield* Effect.promise(() =>
        client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${address}/mcp`)))
      )
      const result = yield* Effect.promise(() => client.callTool({ name: "greet", arguments: { name: "Bo" } }))
      yield* Effect.promise(() => client.close())
      expect(result.content).toEqual([{ type: "text", text: "Hello, Bo!" }])
    }).pipe(Effect.scoped)
  )
})
