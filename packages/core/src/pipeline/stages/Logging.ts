/**
 * One structured log line per request (`observe` phase), the access log: id, trace, method, tenant, what it was
 * about, how it ended (the shared `Outcome` vocabulary), how long it took and the error code. Expected endings (tool
 * errors, refusals, protocol errors the client caused) are info lines; defects were logged with their full cause by
 * the resolve phase. Which requests get their line is the access log's setting (see `AccessLog.ts`); a request
 * whose line is not kept costs nothing here.
 */
import { JsonLogs } from "@bulwark/observability"
import { Cause, Exit } from "effect"
import { type AccessLogConfig, logs } from "../AccessLog.ts"
import type { Call } from "../Call.ts"
import { endingOf } from "../Outcome.ts"
import * as Stage from "../Stage.ts"
import { nameOf } from "../Target.ts"

/** Every line logged while the request runs (a tool's own, a warning) says which request it belongs to. */
const annotationsOf = (call: Call): Readonly<Record<string, unknown>> => {
  const target = nameOf(call.target)
  return target === undefined
    ? { requestId: call.requestId, method: call.request.method, tenantId: call.tenantId }
    : { requestId: call.requestId, method: call.request.method, tenantId: call.tenantId, target }
}

/** The logging stage under the access log's setting: an observer. */
export const logging = (accessLog: AccessLogConfig) =>
  Stage.observer(
    "logging",
    "observe",
    (call) => (exit, fiber) => {
      if (accessLog.mode === "none") return undefined
      const ending = endingOf(exit)
      if (!logs(accessLog, ending.outcome)) return undefined
      const failure = Exit.isFailure(exit) ? Cause.findErrorOption(exit.cause) : undefined
      // Written at once, in this fiber, when the JSON logs are the server's (see `JsonLogs.logAnnotatedUnsafe`).
      return JsonLogs.logAnnotatedUnsafe(fiber, "Info", "request", {
        outcome: ending.outcome,
        durationMs: Math.round((performance.now() - call.startedAt) * 1000) / 1000,
        ...(ending.refusedBy === null ? {} : { refusedBy: ending.refusedBy }),
        ...(failure?._tag === "Some" ? { errorCode: failure.value.code, error: failure.value.message } : {})
      })
    },
    { annotations: annotationsOf }
  )
