/**
 * The request's span (`observe` phase). A transport that opened the request's span itself (the HTTP edge opens it
 * before authentication) hands it over and the pipeline makes it the request's span; otherwise the pipeline opens
 * it here, joining the caller's trace from W3C `traceparent` in `_meta` (MCP's way) or the transport's headers.
 * Either way there is one span per request, with the request's MCP attributes (for a tool call, the tool and its
 * plugin), and everything after runs inside it: the tool too, which has no span of its own.
 */
import { Context, Effect, Option, Tracer } from "effect"
import { Headers, HttpTraceContext } from "effect/http"
import type { McpRequest } from "../../request/McpRequest.ts"
import type { Call } from "../Call.ts"
import * as Stage from "../Stage.ts"

const traceHeaders = (request: McpRequest) => {
  const fromMeta = request.meta.traceparent
  if (typeof fromMeta === "string") {
    const tracestate = request.meta.tracestate
    return Headers.fromInput(
      typeof tracestate === "string" ? { traceparent: fromMeta, tracestate } : { traceparent: fromMeta }
    )
  }
  return Headers.fromInput(request.headers)
}

const attributesOf = (call: Call): Record<string, string> => {
  const attributes: Record<string, string> = {
    "mcp.method.name": call.request.method,
    "mcp.request.id": call.requestId,
    "mcp.protocol.era": call.request.era,
    "mcp.tenant.id": call.tenantId
  }
  const tool = call.target._tag === "ToolCall" ? call.target.tool : undefined
  if (tool !== undefined) {
    attributes["mcp.tool.name"] = tool.name
    attributes["mcp.plugin"] = tool.plugin
  }
  return attributes
}

const adopt = (span: Tracer.Span, call: Call) => {
  const attributes = attributesOf(call)
  for (const key in attributes) span.attribute(key, attributes[key])
}

/** On every request: no stack trace (capturing one costs more than the rest of the span). */
const NO_STACK_TRACE = { captureStackTrace: false } as const

/** The tracing stage. */
export const tracing = Stage.make("tracing", "observe", (next) => (call) => {
  const given = call.request.span
  if (given !== undefined) {
    adopt(given, call)
    // The HTTP fast path runs the pipeline inside the span already; the SDK path does not.
    return Effect.withFiber((fiber) =>
      Context.getOrUndefined(fiber.context, Tracer.ParentSpan) === given
        ? next(call)
        : Effect.withParentSpan(next(call), given, NO_STACK_TRACE)
    )
  }
  const parent = HttpTraceContext.w3c(traceHeaders(call.request))
  return Effect.withSpan(next(call), `mcp ${call.request.method}`, {
    kind: "server",
    ...NO_STACK_TRACE,
    attributes: attributesOf(call),
    ...(Option.isSome(parent) ? { parent: parent.value } : {})
  })
})
