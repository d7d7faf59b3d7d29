/**
 * Turns connection targets and SQL failures into short, secret-free text for error messages.
 *
 * @internal
 */
import { Predicate, Redacted } from "effect"
import { isSqlError, type SqlError } from "effect/sql/SqlError"

/** `host:port/database` of a postgres URL, without user or password; `"the configured database"` if unparsable. */
export const targetOfUrl = (url: Redacted.Redacted<string>): string => {
  try {
    const parsed = new URL(Redacted.value(url))
    const host = parsed.hostname || parsed.searchParams.get("host") || "localhost"
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, "")) || "(default database)"
    return `${host}:${parsed.port || "5432"}/${database}`
  } catch {
    return "the configured database"
  }
}

const textOf = (cause: unknown): string | undefined => {
  if (cause instanceof AggregateError && cause.errors.length > 0) return textOf(cause.errors[0])
  if (Predicate.isObject(cause)) {
    const message = "message" in cause && typeof cause.message === "string" ? cause.message : ""
    const code = "code" in cause && typeof cause.code === "string" ? cause.code : undefined
    const detail = "detail" in cause && typeof cause.detail === "string" ? ` (${cause.detail})` : ""
    if (message !== "") return code !== undefined ? `${message}${detail} [${code}]` : `${message}${detail}`
    if (code !== undefined) return code
  }
  return undefined
}

/** The most specific text a `SqlError` carries: PostgreSQL's own message and SQLSTATE when there is one. */
export const describeSqlError = (error: SqlError): string => textOf(error.reason.cause) ?? error.message

/** Whether a `SqlError` means "cannot talk to the database" rather than "the statement failed". */
export const isUnavailable = (error: SqlError): boolean =>
  error.reason._tag === "ConnectionError" || error.reason._tag === "AuthenticationError"

/** Text for any failure cause (SQL or not), for messages. */
export const describeUnknown = (cause: unknown): string =>
  isSqlError(cause) ? describeSqlError(cause) : (textOf(cause) ?? String(cause))
