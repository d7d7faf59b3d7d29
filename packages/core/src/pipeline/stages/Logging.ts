/**
 * One structured log line per request (`observe` phase), the access log: id, trace, method, tenant, what it was
 * about, how it ended (the shared `Outcome` vocabulary), how long it took and the error code. Expected endings (tool
 * errors, refusals, protocol errors the client caused) are info lines; defects were logged with their full cause by
 * the resolve phase. Which requests get their line is the access log's setting (see `AccessLog.ts`); a request
 * whose line is not kept costs nothing here.
 */
import { Cause, Effect, Exit } from "effect"
import { type AccessLogConfig, logs } from "../AccessLog.ts"
import { endingOf } from "../Outcome.ts"
import * as Stage from "../Stage.ts"
import { nameOf } from "../Target.ts"

/** The logging stage under the access log's setting. */
export const logging = (accessLog: AccessLogConfig) =>
  Stage.make("logging", "observe", (next) => (call) => {
    const target = nameOf(call.target)
    // Every line logged while the request runs (a tool's own, a warning) says which request it belongs to.
    const annotations = {
      requestId: call.requestId,
      method: call.request.method,
      tenantId: call.tenantId,
      ...(target === undefined ? {} : { target })
    }
    if (accessLog.mode === "none") return Effect.annotateLogs(next(call), annotations)
    return next(call).pipe(
      Effect.onExit((exit) => {
        const ending = endingOf(exit)
        if (!logs(accessLog, ending.outcome)) return Effect.void
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
