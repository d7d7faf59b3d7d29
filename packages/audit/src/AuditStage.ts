/**
 * The audit stage of the request pipeline (`guards.audit`): on every request's exit, builds its record and hands it
 * to the `AuditLog`. It sits outside error mapping, so it sees the final answer, refusals included.
 *
 * @since 0.1.0
 */
import { type CallState, Catalog, type McpError, type McpResult, Stage } from "@bulwark/core"
import { Cause, Clock, Effect, Exit } from "effect"
import { AuditLog } from "./AuditLog.ts"
import type { AuditOutcome, AuditRecord } from "./AuditRecord.ts"

const stringParam = (params: Readonly<Record<string, unknown>>, key: string): string | undefined => {
  const value = params[key]
  return typeof value === "string" && value !== "" ? value : undefined
}

/** The tool or prompt name, or resource URI, a request names (read from params when validation did not run). */
export const targetOf = (call: CallState): string | null => {
  if (call.target !== undefined) return call.target
  const params = call.request.params
  switch (call.request.method) {
    case "tools/call":
    case "prompts/get":
      return stringParam(params, "name") ?? null
    case "resources/read":
    case "resources/subscribe":
    case "resources/unsubscribe":
      return stringParam(params, "uri") ?? null
    default:
      return null
  }
}

/**
 * The request's arguments with sensitive fields redacted by the catalog's compiled schema of the tool or prompt.
 * Arguments of a tool or prompt the catalog does not know are not recorded: nothing says which fields are secret.
 */
export const argumentsOf = (catalog: Catalog.CatalogShape, call: CallState): unknown => {
  const params = call.request.params
  const name = stringParam(params, "name")
  if (name === undefined || !("arguments" in params)) return null
  if (call.request.method === "tools/call") return catalog.tools.get(name)?.redact(params.arguments) ?? null
  if (call.request.method === "prompts/get") return catalog.prompts.get(name)?.redact(params.arguments) ?? null
  return null
}

/** The outcome and error code of a finished request. */
export const outcomeOf = (
  call: CallState,
  exit: Exit.Exit<McpResult, McpError>
): { readonly outcome: AuditOutcome; readonly errorCode: number | null } => {
  if (Exit.isSuccess(exit)) {
    if (call.rejectedBy !== undefined) return { outcome: "rejected", errorCode: null }
    if (exit.value.isError === true) return { outcome: "tool_error", errorCode: null }
    if (exit.value.resultType === "input_required") return { outcome: "input_required", errorCode: null }
    return { outcome: "success", errorCode: null }
  }
  const error = Cause.findErrorOption(exit.cause)
  if (error._tag === "Some") {
    return { outcome: call.rejectedBy === undefined ? "protocol_error" : "rejected", errorCode: error.value.code }
  }
  if (Cause.hasInterruptsOnly(exit.cause)) return { outcome: "cancelled", errorCode: null }
  // A defect outside error mapping: the client gets an internal error.
  return { outcome: "protocol_error", errorCode: -32603 }
}

/** Builds the audit record of a finished request; `now` is the wall clock in milliseconds. */
export const recordOf = (
  catalog: Catalog.CatalogShape,
  call: CallState,
  exit: Exit.Exit<McpResult, McpError>,
  now: number
): AuditRecord => {
  const durationMs = performance.now() - call.startedAt
  const principal = call.principal
  return {
    time: new Date(now - durationMs),
    tenantId: call.tenantId,
    principal: principal === undefined ? null : { subject: principal.subject, method: principal.method },
    method: call.request.method,
    target: targetOf(call),
    arguments: argumentsOf(catalog, call) as AuditRecord["arguments"],
    ...outcomeOf(call, exit),
    rejectedBy: call.rejectedBy ?? null,
    reason: null,
    durationMs,
    requestId: call.requestId,
    traceId: call.traceId ?? null
  }
}

/**
 * Builds the audit stage over the `AuditLog` and `Catalog` in context. Install it as `guards.audit`. The request's
 * answer waits for the hand-off, which is immediate unless the audit buffer is full.
 */
export const make: Effect.Effect<Stage.Stage, never, AuditLog | Catalog.Catalog> = Effect.gen(function* () {
  const log = yield* AuditLog
  const catalog = yield* Catalog.Catalog
  return Stage.make(
    "audit",
    (next) => (call) =>
      next(call).pipe(
        Effect.onExit((exit) =>
          Effect.flatMap(Clock.currentTimeMillis, (now) => log.record(recordOf(catalog, call, exit, now)))
        )
      )
  )
})
