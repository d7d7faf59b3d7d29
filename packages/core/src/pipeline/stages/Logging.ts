/**
 * One structured log line per request (`observe` phase): id, trace, method, tenant, what it was about, how it ended
 * (the shared `Outcome` vocabulary), how long it took and the error code. Expected endings (tool errors, refusals,
 * protocol errors the client caused) are info lines; defects were logged with their full cause by the resolve
 * phase.
 */
import { Cause, Effect, Exit } from "effect"
import { endingOf } from "../Outcome.ts"
import * as Stage from "../Stage.ts"
import { nameOf } from "../Target.ts"

/** The logging stage. */
export const logging = Stage.make(
  "logging",
  "observe",
  (next) => (call) =>
    Effect.flatMap(Effect.currentParentSpan.pipe(Effect.option), (span) => {
      const target = nameOf(call.target)
      const annotations = {
        requestId: call.requestId,
        method: call.request.method,
        tenantId: call.tenantId,
        ...(span._tag === "Some" ? { traceId: span.value.traceId, spanId: span.value.spanId } : {}),
        ...(target === undefined ? {} : { target })
      }
      return next(call).pipe(
        Effect.onExit((exit) => {
          const ending = endingOf(exit)
          const failure = Exit.isFailure(exit) ? Cause.findErrorOption(exit.cause) : undefined
          return Effect.logInfo("request").pipe(
            Effect.annotateLogs({
              outcome: ending.outcome,
              durationMs: Math.round((performance.now() - call.startedAt) * 1000) / 1000,
              ...(ending.refusedBy === null ? {} : { refusedBy: ending.refusedBy }),
              ...(failure?._tag === "Some" ? { errorCode: failure.value.code, error: failure.value.message } : {})
            })
          )
        }),
        Effect.annotateLogs(annotations)
      )
    })
)
