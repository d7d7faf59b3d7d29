import { Cause, Effect, Exit } from "effect"
import { outcomeOf } from "../outcome.ts"
import * as Stage from "../Stage.ts"

/**
 * Writes one structured log line per request (id, trace, method, target, outcome, duration, error code). Expected
 * outcomes (tool errors, protocol errors the client caused) are not warnings; defects were already logged with their
 * full cause by the error-mapping stage.
 */
export const logging = Stage.make(
  "logging",
  (next) => (call) =>
    next(call).pipe(
      Effect.onExit((exit) => {
        const outcome = outcomeOf(exit)
        const durationMs = Math.round((performance.now() - call.startedAt) * 1000) / 1000
        const failure = Exit.isFailure(exit) ? Cause.findErrorOption(exit.cause) : undefined
        const error =
          failure?._tag === "Some" ? { errorCode: failure.value.code, error: failure.value.message } : undefined
        return Effect.logInfo("request").pipe(
          Effect.annotateLogs({
            outcome,
            durationMs,
            ...(call.target === undefined ? {} : { tool: call.target }),
            ...error
          })
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
