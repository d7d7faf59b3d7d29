/**
 * What the SDK's per-request server construction costs: Bulwark's factory (a bare low-level `Server` plus one handler
 * per method, over a catalog compiled once) against the SDK's idiom (a new `McpServer` registering its tools each
 * time), for catalogs of 1 and 50 tools. CPU time per construction, in-process.
 *
 *   node bench/factory-cost.ts [--iterations 20000]
 */
import { parseArgs } from "node:util"
import { Catalog, Notifier, Pipeline, Plugin, Tool } from "@bulwark/core"
import { makeServerFactory } from "@bulwark/mcp"
import { McpServer } from "@modelcontextprotocol/server"
import { Effect, Layer, Schema } from "effect"

const { values } = parseArgs({ options: { iterations: { type: "string", default: "20000" } } })
const N = Number(values.iterations)

const input = Schema.Struct({ text: Schema.String, count: Schema.optionalKey(Schema.Int) })
const standard = Schema.toStandardJSONSchemaV1(Schema.toStandardSchemaV1(input))

const cpuMicros = (f: () => void) => {
  for (let i = 0; i < 2000; i++) f()
  const before = process.cpuUsage()
  for (let i = 0; i < N; i++) f()
  const used = process.cpuUsage(before)
  return (used.user + used.system) / N
}

for (const toolCount of [1, 50]) {
  const tools = Array.from({ length: toolCount }, (_, i) =>
    Tool.make(`tool_${i}`, { description: "A tool.", input, handler: ({ text }) => Effect.succeed(text) })
  )
  const plugin = Plugin.make({ name: "bench", version: "1.0.0", tools })
  const factory = await Effect.runPromise(
    makeServerFactory({ name: "bench", version: "1.0.0" }).pipe(
      Effect.provide(Pipeline.layer().pipe(Layer.provide(Catalog.layer([plugin])), Layer.provide(Notifier.none)))
    )
  )
  const bulwark = cpuMicros(() => factory({ era: "modern" }))
  const sdk = cpuMicros(() => {
    const server = new McpServer({ name: "bench", version: "1.0.0" })
    for (let i = 0; i < toolCount; i++) {
      server.registerTool(`tool_${i}`, { description: "A tool.", inputSchema: standard }, async ({ text }) => ({
        content: [{ type: "text", text }]
      }))
    }
  })
  console.log(
    `${String(toolCount).padStart(3)} tools: Bulwark factory ${bulwark.toFixed(1)} µs, SDK McpServer+registerTool ${sdk.toFixed(1)} µs per construction`
  )
}
