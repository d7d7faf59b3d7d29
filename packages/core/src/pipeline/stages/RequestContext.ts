import { Effect, Option } from "effect"
import { Headers, HttpTraceContext } from "effect/http"
import * as Stage from "../Stage.ts"

const traceHeaders = (meta: Readonly<Record<string, unknown>>, headers: Readonly<Record<string, string>>) => {
  const fromMeta = meta.traceparent
  if (typeof fromMeta === "string") {
    const tracestate = meta.tracestate
    return Headers.fromInput(
      typeof tracestate === "string" ? { traceparent: fromMeta, tracestate } : { traceparent: fromMeta }
    )
  }
  return Headers.fromInput(headers)
}

/**
 * Gives the request its id and joins the caller's trace: W3C `traceparent` from `_meta` (MCP's way) or from the HTTP
 * headers. Later stages and handlers run inside that trace.
 */
export const requestContext = Stage.make("request-context", (next) => (call) => {
  const parent = HttpTraceContext.w3c(traceHeaders(call.request.meta, call.request.headers))
  const run = next(call)
  return Option.isSome(parent) ? Effect.withParentSpan(run, parent.value) : run
})
