// The official SDK v2 as its users run it: `createMcpHandler` (default options) building an `McpServer` with a zod
// tool per request, adapted to `node:http` with `toNodeHandler` from `@modelcontextprotocol/node`.
// Prints its port on stdout once it listens.
import { createServer } from "node:http"
import { toNodeHandler } from "@modelcontextprotocol/node"
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server"
import { z } from "zod"

const handler = createMcpHandler(() => {
  const server = new McpServer({ name: "sdk", version: "1.0.0" })
  server.registerTool(
    "echo",
    { description: "Echoes the text.", inputSchema: z.object({ text: z.string() }) },
    async ({ text }) => ({ content: [{ type: "text", text }] })
  )
  return server
})

const serve = toNodeHandler(handler)
// The cast only bridges exactOptionalPropertyTypes (IncomingMessage.method is `string | undefined`).
const server = createServer((req, res) => void serve(req as Parameters<typeof serve>[0], res))
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const address = server.address()
  process.stdout.write(`${typeof address === "object" && address !== null ? address.port : 0}\n`)
})
