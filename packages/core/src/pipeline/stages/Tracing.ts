import { Effect } from "effect"
import * as Stage from "../Stage.ts"

/** Opens the server span of the request and records its ids on the call for logs and errors. */
export const tracing = Stage.make(
  "tracing",
  (next) => (call) =>
    Effect.withSpan(
      Effect.flatMap(Effect.currentSpan.pipe(Effect.option), (span) => {
        if (span._tag === "Some") {
          call.traceId = span.value.traceId
          call.spanId = span.value.spanId
        }
        return next(call)
      }),
      `mcp ${call.request.method}`,
      {
        kind: "server",
        attributes: {
          "mcp.method.name": call.request.method,
          "mcp.request.id": call.requestId,
          "mcp.protocol.era": call.request.era,
          "mcp.tenant.id": call.tenantId
        }
      }
    )
)
