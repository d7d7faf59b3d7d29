/**
 * The hash chain: each record's hash covers the hash before it, so changing, removing or reordering a stored record
 * breaks every link after it.
 *
 * `hash = hex(SHA-256(prevHash + canonicalJson(fields)))` where `fields` is the object below (all keys always
 * present, `null` where absent) and `time` is ISO 8601 with milliseconds in UTC.
 *
 * @since 0.1.0
 */
import { hash } from "node:crypto"
import { isoTime, jsonString } from "@bulwark/observability"
import type { AuditRecord, JsonValue } from "./AuditRecord.ts"
import { canonicalJson } from "./CanonicalJson.ts"

/** The `prevHash` of the first record. */
export const GENESIS = "0".repeat(64)

/** The object a record's hash is computed over, keyed like the table's columns. */
export const hashedFields = (id: number, record: AuditRecord): JsonValue => ({
  id,
  time: record.time.toISOString(),
  tenant_id: record.tenantId,
  principal_subject: record.principal?.subject ?? null,
  principal_method: record.principal?.method ?? null,
  method: record.method,
  target: record.target,
  arguments: record.arguments,
  outcome: record.outcome,
  rejected_by: record.rejectedBy,
  error_code: record.errorCode,
  reason: record.reason,
  duration_ms: record.durationMs,
  request_id: record.requestId,
  trace_id: record.traceId
})

const json = (value: JsonValue): string =>
  value === null ? "null" : typeof value === "string" ? jsonString(value) : JSON.stringify(value)

/** Whether every field the hash covers is present (a record built by the audit stage always is). */
const complete = (record: AuditRecord): boolean =>
  record.arguments !== undefined &&
  record.durationMs !== undefined &&
  record.errorCode !== undefined &&
  record.method !== undefined &&
  record.outcome !== undefined &&
  record.reason !== undefined &&
  record.rejectedBy !== undefined &&
  record.requestId !== undefined &&
  record.target !== undefined &&
  record.tenantId !== undefined &&
  record.traceId !== undefined

/**
 * `canonicalJson(hashedFields(id, record))`, written in one go with the keys already in order (only the arguments
 * need sorting, unless their canonical text is given): the hash of every record is computed over it, so it costs on
 * every request.
 */
export const hashedText = (
  id: number,
  record: AuditRecord,
  argumentsJson: string = canonicalJson(record.arguments ?? null)
): string => {
  if (!complete(record)) return canonicalJson(hashedFields(id, record))
  return (
    `{"arguments":${argumentsJson},"duration_ms":${json(record.durationMs)}` +
    `,"error_code":${json(record.errorCode)},"id":${json(id)},"method":${json(record.method)}` +
    `,"outcome":${json(record.outcome)},"principal_method":${json(record.principal?.method ?? null)}` +
    `,"principal_subject":${json(record.principal?.subject ?? null)},"reason":${json(record.reason)}` +
    `,"rejected_by":${json(record.rejectedBy)},"request_id":${json(record.requestId)},"target":${json(record.target)}` +
    `,"tenant_id":${json(record.tenantId)},"time":"${isoTime(record.time.getTime())}","trace_id":${json(record.traceId)}}`
  )
}

/** The hash of record `id` following `prevHash` (`argumentsJson`: the arguments' canonical text, when known). */
export const hashRecord = (prevHash: string, id: number, record: AuditRecord, argumentsJson?: string): string =>
  hash("sha256", prevHash + hashedText(id, record, argumentsJson), "hex")
