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

/** The hash of record `id` following `prevHash`. */
export const hashRecord = (prevHash: string, id: number, record: AuditRecord): string =>
  hash("sha256", prevHash + canonicalJson(hashedFields(id, record)), "hex")
