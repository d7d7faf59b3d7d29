/**
 * Short text for a failure, for log lines and CLI messages: PostgreSQL's own message and SQLSTATE when a `SqlError`
 * carries one (its own message is only "Query failed").
 *
 * @internal
 */
import { Predicate } from "effect"
import { isSqlError } from "effect/sql/SqlError"

const textOf = (cause: unknown): string | undefined => {
  if (cause instanceof AggregateError && cause.errors.length > 0) return textOf(cause.errors[0])
  if (!Predicate.isObject(cause)) return undefined
  const message = "message" in cause && typeof cause.message === "string" ? cause.message : ""
  const code = "code" in cause && typeof cause.code === "string" ? ` [${cause.code}]` : ""
  return message === "" ? undefined : `${message}${code}`
}

/** The most specific message `error` carries. */
export const describeError = (error: unknown): string =>
  (isSqlError(error) ? textOf(error.reason.cause) : undefined) ?? textOf(error) ?? String(error)
