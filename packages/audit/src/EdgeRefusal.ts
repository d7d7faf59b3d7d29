/**
 * Auditing requests refused at the HTTP edge, before a pipeline request exists (authentication failures: no
 * principal, perhaps no tenant, and the method or target only if the request said so).
 *
 * @since 0.1.0
 */
import { Clock, Effect } from "effect"
import { AuditLog } from "./AuditLog.ts"
import type { AuditRecord } from "./AuditRecord.ts"

/** What the edge knows about a request it refused. Only `reason` is required. */
export interface EdgeRefusal {
  /** Why it was refused, for the audit log only (e.g. `unknown API key`). */
  readonly reason: string
  /** The refusing stage; `authentication` unless said otherwise. */
  readonly rejectedBy?: string
  /** The JSON-RPC error code answered, if the answer was a JSON-RPC error. */
  readonly errorCode?: number
  readonly method?: string
  readonly target?: string
  /** Known only when the credential named a tenant. */
  readonly tenantId?: string
  /** What the credential claimed (a key id, a token's subject) and the scheme tried, if known. */
  readonly principal?: { readonly subject?: string; readonly method?: string }
  /** A fresh UUID when not given. */
  readonly requestId?: string
  readonly traceId?: string
  /** How long the edge spent on the request before refusing it. */
  readonly durationMs?: number
}

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
    rejectedBy: refusal.rejectedBy ?? "authentication",
    errorCode: refusal.errorCode ?? null,
    reason: refusal.reason,
    durationMs,
    requestId: refusal.requestId ?? crypto.randomUUID(),
    traceId: refusal.traceId ?? null
  }
}

/** Records a request refused at the HTTP edge (e.g. a 401), through the same buffer as every other record. */
export const recordEdgeRefusal = (refusal: EdgeRefusal): Effect.Effect<void, never, AuditLog> =>
  Effect.flatMap(Effect.all([AuditLog, Clock.currentTimeMillis]), ([log, now]) => log.record(edgeRecord(refusal, now)))

/**
 * The method and target a raw HTTP request names, best effort and without trusting it: the `Mcp-Method` and
 * `Mcp-Name` headers (2026-07-28), else a single JSON-RPC message in the body. Arguments are never read.
 */
export const describeHttpRequest = (
  headers: { readonly get: (name: string) => string | null },
  body: string
): { readonly method?: string; readonly target?: string } => {
  const headerMethod = headers.get("mcp-method")
  if (headerMethod !== null) {
    const headerName = headers.get("mcp-name")
    return headerName === null ? { method: headerMethod } : { method: headerMethod, target: headerName }
  }
  let message: unknown
  try {
    message = JSON.parse(body)
  } catch {
    return {}
  }
  if (typeof message !== "object" || message === null || Array.isArray(message)) return {}
  const { method, params } = message as { readonly method?: unknown; readonly params?: unknown }
  if (typeof method !== "string") return {}
  const named =
    typeof params === "object" && params !== null
      ? ((params as { readonly name?: unknown; readonly uri?: unknown }).name ??
        (params as { readonly uri?: unknown }).uri)
      : undefined
  return typeof named === "string" ? { method, target: named } : { method }
}
