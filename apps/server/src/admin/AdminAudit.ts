/**
 * Admin changes in the audit log: one record per attempted change (tenant upsert/disable/enable, key create/revoke,
 * switch set/clear), with principal `admin`, the changed id as target, a secret-free summary as arguments, and the
 * outcome. Recorded through the same buffer and hash chain as every MCP request.
 *
 * @since 0.1.0
 */
import type { AuditLogShape, AuditOutcome, JsonValue } from "@bulwark/audit"
import { Effect } from "effect"

/** What a handler learns about its change as it goes, filled in before it can fail where possible. */
export interface AuditNote {
  tenantId: string | null
  target: string | null
  /** A summary of the request without secrets (never a key, secret or token). */
  arguments: JsonValue
}

/** A fresh, empty note. */
export const emptyNote = (): AuditNote => ({ tenantId: null, target: null, arguments: null })

/** The principal every admin record names. */
export const adminPrincipal = { subject: "admin", method: "admin-token" } as const

/** How one attempted change ended. */
export interface ChangeOutcome {
  /** The audit method, e.g. `admin/keys.create`. */
  readonly method: string
  readonly note: AuditNote
  readonly outcome: AuditOutcome
  /** `authentication` for a wrong or missing admin token, `admin` for a refused request, else null. */
  readonly rejectedBy: string | null
  /** A short reason without input values (field names at most). */
  readonly reason: string | null
  readonly authenticated: boolean
  readonly startedAt: number
  readonly durationMs: number
  readonly requestId: string
  readonly traceId: string | null
}

/** How long an admin change waits for its record to reach PostgreSQL before answering anyway. */
const flushWait = "5 seconds"

/** Hands the change's record to the audit log (never fails; waits only while the audit buffer is full). */
export const recordChange = (log: AuditLogShape, change: ChangeOutcome): Effect.Effect<void> =>
  log.record({
    time: new Date(change.startedAt),
    tenantId: change.note.tenantId,
    principal: change.authenticated ? adminPrincipal : null,
    method: change.method,
    target: change.note.target,
    arguments: change.authenticated ? change.note.arguments : null,
    outcome: change.outcome,
    rejectedBy: change.rejectedBy,
    errorCode: null,
    reason: change.reason,
    durationMs: change.durationMs,
    requestId: change.requestId,
    traceId: change.traceId
  })

/**
 * Waits (a few seconds at most) until the records handed over so far are written, so that an acknowledged change is
 * in the audit table. If the database is slow the answer goes out anyway: the record stays buffered and is in the
 * JSON log.
 */
export const awaitWritten = (log: AuditLogShape): Effect.Effect<void> =>
  Effect.asVoid(Effect.timeoutOption(log.flush, flushWait))
