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

/** `out` (an object's text so far) with one more field: left out when undefined, as `canonicalJson` leaves it out. */
const add = (out: string, key: string, value: JsonValue | undefined): string =>
  value === undefined ? out : `${out}${out.length > 1 ? "," : ""}"${key}":${canonicalJson(value)}`

/**
 * `canonicalJson(hashedFields(id, record))`, written with the keys already in order (only the arguments need
 * sorting): the hash of every record is computed over it, so it costs on every request.
 */
export const hashedText = (id: number, record: AuditRecord): string => {
  let out = add("{", "arguments", record.arguments)
  out = add(out, "duration_ms", record.durationMs)
  out = add(out, "error_code", record.errorCode)
  out = add(out, "id", id)
  out = add(out, "method", record.method)
  out = add(out, "outcome", record.outcome)
  out = add(out, "principal_method", record.principal?.method ?? null)
  out = add(out, "principal_subject", record.principal?.subject ?? null)
  out = add(out, "reason", record.reason)
  out = add(out, "rejected_by", record.rejectedBy)
  out = add(out, "request_id", record.requestId)
  out = add(out, "target", record.target)
  out = add(out, "tenant_id", record.tenantId)
  out = add(out, "time", record.time.toISOString())
  return `${add(out, "trace_id", record.traceId)}}`
}

/** The hash of record `id` following `prevHash`. */
export const hashRecord = (prevHash: string, id: number, record: AuditRecord): string =>
  hash("sha256", prevHash + hashedText(id, record), "hex")
