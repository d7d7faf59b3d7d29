/**
 * The audit stage of the request pipeline (`observe` phase): on every request's exit, builds its record and hands it
 * to the `AuditLog`. It sits outside containment, so it sees the final answer: refusals, internal errors and
 * cancellations included.
 *
 * @since 0.1.0
 */
import { type Call, type McpResult, Outcome, type PipelineError, Stage, Target } from "@bulwark/core"
import { Clock, Context, Effect, type Exit, Tracer } from "effect"
import { AuditLog } from "./AuditLog.ts"
import type { AuditRecord } from "./AuditRecord.ts"

/**
 * The request's arguments with sensitive fields redacted by the compiled schema of the tool or prompt. Arguments of
 * a tool or prompt the catalog does not know are not recorded: nothing says which fields are secret.
 */
export const argumentsOf = (call: Call): unknown => {
  const target = call.target
  if (!("arguments" in call.request.params)) return null
  if (target._tag === "ToolCall") return target.tool?.redact(target.arguments) ?? null
  if (target._tag === "PromptGet") return target.prompt?.redact(target.arguments) ?? null
  return null
}

/** Builds the audit record of a finished request; `now` is the wall clock in milliseconds. */
export const recordOf = (
  call: Call,
  exit: Exit.Exit<McpResult, PipelineError>,
  now: number,
  traceId: string | null
): AuditRecord => {
  const durationMs = performance.now() - call.startedAt
  const principal = call.principal
  const ending = Outcome.endingOf(exit)
  return {
    time: new Date(now - durationMs),
    tenantId: call.tenantId,
    principal: principal === undefined ? null : { subject: principal.subject, method: principal.method },
    method: call.request.method,
    target: Target.nameOf(call.target) ?? null,
    arguments: argumentsOf(call) as AuditRecord["arguments"],
    outcome: ending.outcome,
    rejectedBy: ending.refusedBy,
    errorCode: ending.errorCode,
    reason: null,
    durationMs,
    requestId: call.requestId,
    traceId
  }
}

/**
 * The audit stage over the `AuditLog` in context: an observer. The request's answer waits for the hand-off, which is
 * immediate unless the audit buffer is full.
 */
export const make: Effect.Effect<Stage.Stage, never, AuditLog> = Effect.gen(function* () {
  const log = yield* AuditLog
  return Stage.observer(
    "audit",
    "observe",
    (call) => (exit, ending) => {
      const now = ending.getRef(Clock.Clock).currentTimeMillisUnsafe()
      const span = Context.getOption(ending.context, Tracer.ParentSpan)
      return log.handOver(recordOf(call, exit, now, span._tag === "Some" ? span.value.traceId : null), ending)
    },
    { order: 10 }
  )
})
