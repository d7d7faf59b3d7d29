/**
 * What one audit record says about one MCP request.
 *
 * @since 0.1.0
 */
import { type JsonValue, Outcome } from "@bulwark/core"

/** A JSON value, as stored in the `arguments` column (core's). */
export type { JsonValue }

/**
 * How a request ended: the pipeline's one vocabulary (`Outcome` of `@bulwark/core`), shared with logs and metrics.
 * A refusal at the HTTP edge is `rejected`.
 */
export type AuditOutcome = Outcome.Outcome

/** Every outcome, in a fixed order (the table's CHECK constraint admits the same). */
export const outcomes = Outcome.outcomes

/** Tells whether a string is an outcome. */
export const isOutcome = (value: string): value is AuditOutcome => Outcome.isOutcome(value)

/** Who made the request; either part may be unknown for a request refused at the edge. */
export interface AuditPrincipal {
  readonly subject: string | null
  /** How it authenticated (`api-key`, `oauth`, ...). */
  readonly method: string | null
}

/** One request, as handed to the audit log. Arguments are already redacted by the framework. */
export interface AuditRecord {
  /** When the request started (millisecond precision). */
  readonly time: Date
  /** Null only for a request refused before its tenant was known. */
  readonly tenantId: string | null
  readonly principal: AuditPrincipal | null
  /** The MCP method (`tools/call`, `resources/read`, ...), null when the edge refused before reading it. */
  readonly method: string | null
  /** The tool or prompt name, or the resource URI. */
  readonly target: string | null
  /** The arguments with every field the schema marks sensitive replaced by `[REDACTED]`. */
  readonly arguments: JsonValue
  readonly outcome: AuditOutcome
  /** The stage that refused the request (`authentication`, `authorization`, `rate-limit`, ...). */
  readonly rejectedBy: string | null
  /** The JSON-RPC error code of a failed request. */
  readonly errorCode: number | null
  /** Why the edge refused the request (from the authenticator, never sent to the client). */
  readonly reason: string | null
  readonly durationMs: number
  /** Bulwark's own request id (as in logs and traces). */
  readonly requestId: string
  readonly traceId: string | null
}

/** A record as stored: its position in the chain and its hashes. */
export interface StoredAuditRecord extends AuditRecord {
  /** 1, 2, 3, ... without gaps, in chain order. */
  readonly id: number
  /** The hash of the record before (64 zeros for the first). */
  readonly prevHash: string
  /** SHA-256 (hex) over `prevHash` and the canonical JSON of this record (see `Chain`). */
  readonly hash: string
}

/** The record as plain JSON (time in ISO 8601), as the `audit` annotation of its log line and the CLI print it. */
export const toJson = (record: AuditRecord | StoredAuditRecord): { readonly [key: string]: JsonValue } => ({
  ...("id" in record ? { id: record.id } : {}),
  time: record.time.toISOString(),
  tenantId: record.tenantId,
  principal: record.principal === null ? null : { subject: record.principal.subject, method: record.principal.method },
  method: record.method,
  target: record.target,
  arguments: record.arguments,
  outcome: record.outcome,
  rejectedBy: record.rejectedBy,
  errorCode: record.errorCode,
  reason: record.reason,
  durationMs: record.durationMs,
  requestId: record.requestId,
  traceId: record.traceId,
  ...("hash" in record ? { prevHash: record.prevHash, hash: record.hash } : {})
})
