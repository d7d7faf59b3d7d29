/**
 * The account of an HTTP exchange the pipeline did not serve: a request refused at the edge (a foreign Host, a body
 * too large, a refused credential, a throttled address, a server at capacity), an exchange the SDK answered itself
 * (`initialize`, `ping`, a notification, opening a stream) and a request it rejected before any handler ran (a
 * malformed message, an unknown method, params of the wrong shape). Each leaves what a pipeline request leaves: one
 * access-log line (under the same setting, see core's `AccessLog`) and one audit record (core's `EdgeExchanges`
 * port, when the composition has it). Together with the pipeline's own, every request that reaches the endpoint is
 * accounted for exactly once.
 *
 * Refusals that come in floods (an address throttled after failed logins, requests shed at capacity) are counted
 * instead, per kind and client address, and written as one line and one record per window that says how many: a
 * flood must not turn into a flood of audit rows.
 */
import { AccessLog, type AccessLogConfig, type Claimed, type EdgeExchange, type Outcome } from "@bulwark/core"
import { Duration, Effect, type Scope } from "effect"
import type { Described } from "./describeRequest.ts"
import type { EdgeRefused } from "./EdgeRefused.ts"

/** What the edge knows about an exchange it ended. */
export interface EndedExchange {
  /** The HTTP method (the line's method when the body named none). */
  readonly method: string
  readonly described: Described
  readonly status: number
  /** `performance.now()` when the exchange started. */
  readonly startedAt: number
  /** The JSON-RPC error code of the answer, when it was one. */
  readonly errorCode?: number
  /** Why it was refused, for the server's log and audit only. */
  readonly reason?: string
  /** The refusing step, for a refusal (the outcome is then `rejected`); by default the one the status stands for. */
  readonly refusedBy?: string
  /** What a refused credential claimed to be. */
  readonly claimed?: Claimed
  /** The id an internal error was answered with (a fresh one is drawn otherwise). */
  readonly requestId?: string
  readonly traceId?: string
}

/** Where exchanges that ended at the edge go. */
export interface EdgeJournal {
  /** Logs and records one exchange. */
  readonly end: (exchange: EndedExchange) => Effect.Effect<void>
  /**
   * Counts one refusal of a kind that comes in floods (`key` names the kind and the address); the count is logged
   * and recorded once per window.
   */
  readonly endRepeated: (key: string, clientAddress: string | undefined, exchange: EndedExchange) => void
}

/** Statuses that mean the edge refused the request (rather than that it was malformed). */
const REFUSALS: ReadonlySet<number> = new Set([401, 403, 413, 429, 503])

/** The step a refusal status stands for, when the caller did not say. */
const refusingStep = (status: number): string =>
  status === 401
    ? "authentication"
    : status === 403
      ? "origin"
      : status === 413
        ? "body-size"
        : status === 429
          ? "throttle"
          : status === 503
            ? "admission"
            : "edge"

/** How an exchange ended, from its status and the JSON-RPC error code of its answer. */
export const outcomeOf = (
  status: number,
  errorCode: number | undefined,
  refusedBy: string | undefined
): Outcome.Outcome => {
  if (refusedBy !== undefined || REFUSALS.has(status)) return "rejected"
  if (errorCode === -32603 || status >= 500) return "internal_error"
  if (errorCode !== undefined || status >= 400) return "protocol_error"
  return "success"
}

/** How often counted refusals are written. */
const WINDOW = Duration.seconds(10)

/** Makes the journal; counted refusals are written every window and when the scope closes. */
export const make = (
  accessLog: AccessLogConfig,
  record: ((exchange: EdgeExchange) => Effect.Effect<void>) | undefined
): Effect.Effect<EdgeJournal, never, Scope.Scope> =>
  Effect.gen(function* () {
    const account = (exchange: EndedExchange, count?: number, clientAddress?: string): Effect.Effect<void> => {
      const outcome = outcomeOf(exchange.status, exchange.errorCode, exchange.refusedBy)
      const { described } = exchange
      const durationMs = Math.round((performance.now() - exchange.startedAt) * 1000) / 1000
      const log = AccessLog.logs(accessLog, outcome)
        ? Effect.logInfo("request").pipe(
            Effect.annotateLogs({
              method: described.method ?? exchange.method,
              ...(described.target === undefined ? {} : { target: described.target }),
              outcome,
              status: exchange.status,
              ...(count === undefined ? { durationMs } : {}),
              ...(exchange.errorCode === undefined ? {} : { errorCode: exchange.errorCode }),
              ...(exchange.reason === undefined ? {} : { reason: exchange.reason }),
              ...(count === undefined ? {} : { count }),
              ...(clientAddress === undefined ? {} : { clientAddress })
            })
          )
        : Effect.void
      if (record === undefined) return log
      const claimed = exchange.claimed
      const audited: EdgeExchange = {
        outcome,
        ...(outcome === "rejected" ? { refusedBy: exchange.refusedBy ?? refusingStep(exchange.status) } : {}),
        ...(exchange.reason === undefined ? {} : { reason: exchange.reason }),
        ...(exchange.errorCode === undefined ? {} : { errorCode: exchange.errorCode }),
        // A GET (an event stream) or a DELETE (closing a session) carries no JSON-RPC method: its HTTP method says it.
        ...(described.method !== undefined
          ? { method: described.method }
          : exchange.method === "GET" || exchange.method === "DELETE"
            ? { method: exchange.method }
            : {}),
        ...(described.target === undefined ? {} : { target: described.target }),
        ...(claimed?.tenantId === undefined ? {} : { tenantId: claimed.tenantId }),
        ...(claimed === undefined ? {} : { principal: claimed }),
        ...(exchange.requestId === undefined ? {} : { requestId: exchange.requestId }),
        ...(exchange.traceId === undefined ? {} : { traceId: exchange.traceId }),
        ...(count === undefined ? { durationMs } : { count }),
        ...(clientAddress === undefined ? {} : { clientAddress })
      }
      return Effect.andThen(log, record(audited))
    }

    /** Counted refusals since the last write, by kind and address. */
    let counted = new Map<string, { exchange: EndedExchange; clientAddress: string | undefined; count: number }>()
    const flush = Effect.suspend(() => {
      if (counted.size === 0) return Effect.void
      const due = counted
      counted = new Map()
      return Effect.forEach(due.values(), (entry) => account(entry.exchange, entry.count, entry.clientAddress), {
        discard: true
      })
    })
    yield* Effect.forkScoped(Effect.forever(Effect.andThen(Effect.sleep(WINDOW), flush)))
    yield* Effect.addFinalizer(() => flush)

    return {
      end: (exchange) => account(exchange),
      endRepeated: (key, clientAddress, exchange) => {
        const entry = counted.get(key)
        if (entry === undefined) counted.set(key, { exchange, clientAddress, count: 1 })
        else entry.count += 1
      }
    }
  })

/**
 * Accounts for an exchange the edge refused: with the refusal's reason, step and claimed identity; one refused
 * because its address is throttled is counted with its like (such refusals come in floods), any other is logged and
 * recorded at once.
 */
export const endRefused = (
  journal: EdgeJournal,
  exchange: EndedExchange,
  refusal: Omit<EdgeRefused, "response">,
  clientAddress: string | undefined
): Effect.Effect<void> => {
  const ended: EndedExchange = {
    ...exchange,
    reason: refusal.reason,
    refusedBy: refusal.refusedBy ?? "authentication",
    ...(refusal.claimed === undefined ? {} : { claimed: refusal.claimed })
  }
  return refusal.throttled === true
    ? Effect.sync(() =>
        journal.endRepeated(`throttled ${clientAddress}`, clientAddress, { ...ended, refusedBy: "throttle" })
      )
    : journal.end(ended)
}
