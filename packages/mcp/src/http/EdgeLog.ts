/**
 * The access-log line of an HTTP exchange the pipeline did not log: a request refused at the edge (a foreign Host,
 * a body too large, a credential refused), and exchanges the SDK answers itself (opening a stream, a session's
 * notifications, `initialize`, `server/discover`). Together with the pipeline's own line, every exchange on the
 * endpoint leaves exactly one `request` line, under the same access-log setting (see core's `AccessLog`). The line
 * has the same shape as the pipeline's: method, what it named, outcome, HTTP status, duration, and the reason of a
 * refusal; the trace id comes from the exchange's span.
 */
import { AccessLog, type AccessLogConfig, type Outcome } from "@bulwark/core"
import { Effect } from "effect"
import type { Described } from "./describeRequest.ts"

/** What the edge knows about an exchange it answered. */
export interface EdgeExchange {
  readonly method: string
  readonly described: Described
  readonly status: number
  readonly startedAt: number
  /** Why it was refused, for the server's log only. */
  readonly reason?: string
}

/** The outcome an HTTP status stands for. */
const outcomeOf = (status: number): Outcome.Outcome => {
  if (status < 400) return "success"
  if (status >= 500 && status !== 503) return "internal_error"
  if ([401, 403, 413, 415, 429, 503].includes(status)) return "rejected"
  return "protocol_error"
}

/** Logs the exchange's line, when the access log keeps it. */
export const logExchange = (accessLog: AccessLogConfig, exchange: EdgeExchange): Effect.Effect<void> => {
  const outcome = outcomeOf(exchange.status)
  if (!AccessLog.logs(accessLog, outcome)) return Effect.void
  const { described } = exchange
  return Effect.logInfo("request").pipe(
    Effect.annotateLogs({
      method: described.method ?? exchange.method,
      ...(described.target === undefined ? {} : { target: described.target }),
      outcome,
      status: exchange.status,
      durationMs: Math.round((performance.now() - exchange.startedAt) * 1000) / 1000,
      ...(exchange.reason === undefined ? {} : { reason: exchange.reason })
    })
  )
}
