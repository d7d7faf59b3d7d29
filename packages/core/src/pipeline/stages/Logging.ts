import { Effect, Exit } from "effect"
import { outcomeOf } from "../outcome.ts"
import * as Stage from "../Stage.ts"

/** Writes one structured log line per request (id, trace, method, target, outcome, duration). */
export const logging = Stage.make(
  "logging",
  (next) => (call) =>
    next(call).pipe(
      Effect.onExit((exit) => {
        const outcome = outcomeOf(exit)
        const durationMs = Math.round((performance.now() - call.startedAt) * 1000) / 1000
        const line = outcome === "error" && Exit.isFailure(exit) ? `request failed: ${String(exit.cause)}` : "request"
        return (outcome === "ok" ? Effect.logInfo(line) : Effect.logWarning(line)).pipe(
          Effect.annotateLogs({ outcome, durationMs, ...(call.target === undefined ? {} : { tool: call.target }) })
        )
      }),
      Effect.annotateLogs({
        requestId: call.requestId,
        method: call.request.method,
        tenantId: call.tenantId,
        ...(call.traceId === undefined ? {} : { traceId: call.traceId, spanId: call.spanId })
      })
    )
)
