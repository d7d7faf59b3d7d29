/**
 * Auditing exchanges that ended at the edge, before or without a pipeline request: refusals (a credential refused,
 * a foreign Host, a body too large; no principal, perhaps no tenant, and the method or target only if the transport
 * could tell), requests the protocol layer answered itself, and repeated refusals recorded together (one record that
 * says how many, and from which address). Implements core's `EdgeExchanges` port with the audit log, so that a
 * transport reports them without knowing about auditing.
 *
 * @since 0.1.0
 */
import { type EdgeExchange, EdgeExchanges, makeRequestId } from "@bulwark/core"
import { Clock, Effect, Layer } from "effect"
import { AuditLog } from "./AuditLog.ts"
import type { AuditRecord, JsonValue } from "./AuditRecord.ts"

/** What an aggregated record says in its `arguments`: how many requests, and from where. */
const aggregate = (exchange: EdgeExchange): JsonValue =>
  exchange.count === undefined && exchange.clientAddress === undefined
    ? null
    : {
        ...(exchange.count === undefined ? {} : { count: exchange.count }),
        ...(exchange.clientAddress === undefined ? {} : { clientAddress: exchange.clientAddress })
      }

/** The audit record of an exchange that ended at the edge; `now` is the wall clock in milliseconds. */
export const edgeRecord = (exchange: EdgeExchange, now: number): AuditRecord => {
  const durationMs = exchange.durationMs ?? 0
  const subject = exchange.principal?.subject ?? null
  const method = exchange.principal?.method ?? null
  return {
    time: new Date(now - durationMs),
    tenantId: exchange.tenantId ?? null,
    principal: subject === null && method === null ? null : { subject, method },
    method: exchange.method ?? null,
    target: exchange.target ?? null,
    arguments: aggregate(exchange),
    outcome: exchange.outcome,
    rejectedBy: exchange.outcome === "rejected" ? (exchange.refusedBy ?? "edge") : null,
    errorCode: exchange.errorCode ?? null,
    reason: exchange.reason ?? null,
    durationMs,
    requestId: exchange.requestId ?? makeRequestId(),
    traceId: exchange.traceId ?? null
  }
}

/** Records an exchange that ended at the edge (e.g. a 401), through the same buffer as every other record. */
export const recordEdgeExchange = (exchange: EdgeExchange): Effect.Effect<void, never, AuditLog> =>
  Effect.flatMap(Effect.all([AuditLog, Clock.currentTimeMillis]), ([log, now]) => log.record(edgeRecord(exchange, now)))

/** `EdgeExchanges` on the audit log in context: every exchange a transport reports becomes one audit record. */
export const layerEdgeExchanges: Layer.Layer<EdgeExchanges, never, AuditLog> = Layer.effect(
  EdgeExchanges,
  Effect.map(AuditLog, (log) =>
    EdgeExchanges.of({
      record: (exchange) => Effect.flatMap(Clock.currentTimeMillis, (now) => log.record(edgeRecord(exchange, now)))
    })
  )
)
