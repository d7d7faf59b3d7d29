/**
 * `tools/list` and `tools/call`. The list is built once; a call runs the tool on the arguments the validate phase
 * decoded, inside the request's span (which names the tool and its plugin: see the tracing stage), with the call in
 * its context (`CurrentCall`).
 */
import { Effect } from "effect"
import type { CatalogShape } from "../../catalog/Catalog.ts"
import { ErrorCode, McpError } from "../../errors/McpError.ts"
import type { NotifierShape } from "../../notify/Notifier.ts"
import { makeToolContext } from "../../tool/ToolContext.ts"
import { CurrentCall } from "../Call.ts"
import type { Method } from "../Method.ts"
import { argumentsOf, listingMethod, requiredString } from "./params.ts"

const capabilities = { tools: { listChanged: true } }

/** The decoded input is missing: the composition left the validate phase out, a wiring mistake. */
export const notValidated = (method: string) =>
  Effect.die(new Error(`${method} reached its method without the validate phase: the pipeline is miscomposed`))

/** The tool methods over a catalog. */
export const toolMethods = (catalog: CatalogShape, notifier: NotifierShape): ReadonlyArray<Method> => {
  const list = { tools: [...catalog.tools.values()].map((tool) => tool.definition) }
  return [
    listingMethod("tools/list", "tools", list, capabilities),
    {
      name: "tools/call",
      capabilities,
      resolve: (params) => {
        const name = requiredString(params, "name")
        if (typeof name !== "string") return name
        return { _tag: "ToolCall", name, tool: catalog.tools.get(name), arguments: argumentsOf(params) }
      },
      serve: (call) => {
        const target = call.target
        if (target._tag !== "ToolCall" || target.tool === undefined) {
          return Effect.fail(new McpError({ code: ErrorCode.InvalidParams, message: "Unknown tool" }))
        }
        if (!("input" in call)) return notValidated("tools/call")
        const tool = target.tool
        // No span of its own: one span a request (a span costs a request several per cent of its CPU, and the
        // request's span already times the call); what the tool traces itself is a child of the request's span.
        return Effect.provideService(tool.run(call.input, makeToolContext(call, notifier)), CurrentCall, call)
      }
    }
  ]
}
