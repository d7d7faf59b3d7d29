// Bulwark: the echo plugin through the full pipeline and endpoint, as the bundled server mounts it.
import { createServer } from "node:http"
import { Catalog, Pipeline } from "@bulwark/core"
import { ClientSinks, Endpoint, McpHttp } from "@bulwark/mcp"
import { JsonLogs } from "@bulwark/observability"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import { EchoPlugin } from "./echoPlugin.ts"

const announce = Layer.effectDiscard(
  Effect.flatMap(HttpServer.HttpServer, (server) =>
    Effect.sync(() => process.stdout.write(`${server.address._tag === "UnixPathAddress" ? 0 : server.address.port}\n`))
  )
)
HttpRouter.serve(McpHttp.route("/mcp"), { disableLogger: true }).pipe(
  Layer.merge(announce),
  Layer.provide(
    Endpoint.layer({ name: "bulwark", version: "1.0.0" }).pipe(
      Layer.provideMerge(Pipeline.layer()),
      Layer.provide(Catalog.layer([EchoPlugin])),
      Layer.provideMerge(ClientSinks.layer)
    )
  ),
  Layer.provide(NodeHttpServer.layer(createServer, { port: Number(process.env.PORT ?? 0), host: "127.0.0.1" })),
  Layer.provide(JsonLogs.layer("info")),
  Layer.launch,
  NodeRuntime.runMain
)
