/**
 * A backend that is down for a moment is not a bug: a request whose handler failed because its database connection
 * was lost, the database is shutting down or restarting, or a transaction hit a deadlock or a lock timeout is
 * answered "unavailable, retry shortly" (with a request id and the seconds to wait) rather than as an internal
 * error, so that an agent can act on it. What counts as transient is read from the failure itself, without knowing
 * the backend's library: an error that says it is retryable (`isRetryable: true`, as `effect/sql`'s `SqlError` does
 * for connection errors, deadlocks, serialization failures and timeouts), or one that carries a SQLSTATE of class 08
 * (connection exception) or 57P (the server is shutting down or cannot accept connections yet).
 */
import { Predicate } from "effect"
import { McpError } from "./McpError.ts"

/** The JSON-RPC error code of an unavailable backend. */
export const UNAVAILABLE_CODE = -32031

/** How long a client should wait before retrying. */
const RETRY_AFTER_SECONDS = 1

/** The SQLSTATE an error carries, in itself, its reason or their causes (a few levels deep). */
const sqlState = (error: unknown, depth = 0): string | undefined => {
  if (!Predicate.isObject(error) || depth > 3) return undefined
  if (typeof error.code === "string" && /^[0-9A-Z]{5}$/.test(error.code)) return error.code
  return sqlState(error.reason, depth + 1) ?? sqlState(error.cause, depth + 1)
}

/** Whether an unexpected failure is a backend being unavailable for a moment. */
export const isTransient = (error: unknown): boolean => {
  if (!Predicate.isObject(error)) return false
  if ((error as { readonly isRetryable?: unknown }).isRetryable === true) return true
  const state = sqlState(error)
  return state !== undefined && (state.startsWith("08") || state.startsWith("57P"))
}

/** The error for a request whose backend was unavailable: the request id and when to retry. */
export const unavailable = (requestId: string): McpError =>
  new McpError({
    code: UNAVAILABLE_CODE,
    message: `Service temporarily unavailable: a backend did not answer; retry in ${RETRY_AFTER_SECONDS} s (request id ${requestId})`,
    data: { requestId, retryAfterSeconds: RETRY_AFTER_SECONDS }
  })
