/**
 * The backends the tickets plugin calls, by the names its tools, resource and prompt declare (an operator's
 * `backend` kill switch names them), and the policy its calls run under.
 */
import { Backend } from "@bulwark/core"
import { Effect } from "effect"
import { TicketStore } from "./store/TicketStore.ts"

/** The PostgreSQL tables of the plugin, reached through the app's pool. */
export const ticketsDatabase = "tickets-db"

/**
 * The tickets database's policy. Queries are short: 5 s is a stuck one. At most 8 calls at once (of the app's
 * default pool of 10: authentication and the audit log keep connections however slow the tickets tables are), 4 of
 * them for one tenant. Five failures in a row, or half of the last 20 calls, open the circuit for 5 s. Reads and
 * idempotent writes are retried twice after a transient failure, within a budget of a fifth of calls. A `SELECT 1`
 * every 5 s tells readiness whether the database answers.
 */
export const ticketsDatabaseBackend = Backend.declare(ticketsDatabase, {
  timeout: "5 seconds",
  retry: { retries: 2, baseDelay: "50 millis", maxDelay: "500 millis", budget: 0.2 },
  breaker: { consecutiveFailures: 5, failureRate: { threshold: 0.5, window: 20 }, openFor: "5 seconds" },
  bulkhead: { maxConcurrent: 8, maxQueued: 16, queueTimeout: "200 millis", perTenant: 4 },
  probe: { check: Effect.flatMap(TicketStore, (store) => store.ping), every: "5 seconds", timeout: "2 seconds" }
})
