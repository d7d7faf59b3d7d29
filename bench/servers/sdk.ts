// The SDK alone: createMcpHandler + McpServer.registerTool, mounted exactly as Bulwark mounts its endpoint.
import { createServer } from "node:http"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server"
import { Effect, Layer, Schema } from "effect"
import { HttpEffect, HttpRouter, HttpServer } from "effect/http"

const input = Schema.toStandardJSONSchemaV1(Schema.toStandardSchemaV1(Schema.Struct({ text: Schema.String })))
const handler = createMcpHandler(() => {
  const server = new McpServer({ name: "sdk", version: "1.0.0" })
  server.registerTool("echo", { description: "Echoes the text.", inputSchema: input }, async ({ text }) => ({
    content: [{ type: "text", text }]
  }))
  return server
})

const route = HttpRouter.add(
  "*",
  "/mcp",
  HttpEffect.fromWebHandler((request) => handler.fetch(request))
)
const announce = Layer.effectDiscard(
  Effect.flatMap(HttpServer.HttpServer, (server) =>
    Effect.sync(() => process.stdout.write(`${server.address._tag === "UnixPathAddress" ? 0 : server.address.port}\n`))
  )
)
HttpRouter.serve(route, { disableLogger: true }).pipe(
  Layer.merge(announce),
  Layer.provide(NodeHttpServer.layer(createServer, { port: Number(process.env.PORT ?? 0), host: "127.0.0.1" })),
  Layer.launch,
  NodeRuntime.runMain
)
