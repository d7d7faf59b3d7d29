/**
 * Auditing requests refused at the edge, before a pipeline request exists (authentication failures: no principal,
 * perhaps no tenant, and the method or target only if the transport could tell). Implements core's `EdgeRefusals`
 * port with the audit log, so that a transport reports refusals without knowing about auditing.
 *
 * @since 0.1.0
 */
import { type EdgeRefusal, EdgeRefusals } from "@bulwark/core"
import { Clock, Effect, Layer } from "effect"
import { AuditLog } from "./AuditLog.ts"
import type { AuditRecord } from "./AuditRecord.ts"

/** The audit record of a request refused at the edge; `now` is the wall clock in milliseconds. */
export const edgeRecord = (refusal: EdgeRefusal, now: number): AuditRecord => {
  const durationMs = refusal.durationMs ?? 0
  const subject = refusal.principal?.subject ?? null
  const method = refusal.principal?.method ?? null
  return {
    time: new Date(now - durationMs),
    tenantId: refusal.tenantId ?? null,
    principal: subject === null && method === null ? null : { subject, method },
    method: refusal.method ?? null,
    target: refusal.target ?? null,
    arguments: null,
    outcome: "rejected",
    rejectedBy: refusal.refusedBy ?? "authentication",
    errorCode: refusal.errorCode ?? null,
    reason: refusal.reason,
    durationMs,
    requestId: refusal.requestId ?? crypto.randomUUID(),
    traceId: refusal.traceId ?? null
  }
}

/** Records a request refused at the edge (e.g. a 401), through the same buffer as every other record. */
export const recordEdgeRefusal = (refusal: EdgeRefusal): Effect.Effect<void, never, AuditLog> =>
  Effect.flatMap(Effect.all([AuditLog, Clock.currentTimeMillis]), ([log, now]) => log.record(edgeRecord(refusal, now)))

/** `EdgeRefusals` on the audit log in context: every refusal a transport reports becomes one audit record. */
export const layerEdgeRefusals: Layer.Layer<EdgeRefusals, never, AuditLog> = Layer.effect(
  EdgeRefusals,
  Effect.map(AuditLog, (log) =>
    EdgeRefusals.of({
      record: (refusal) => Effect.flatMap(Clock.currentTimeMillis, (now) => log.record(edgeRecord(refusal, now)))
    })
  )
)
