/**
 * The backend reports read: the tickets tables, through the app's pool. A report is a handful of aggregate queries
 * over up to a year of tickets, so one call may take a minute; at most two run at once (one per tenant), so that
 * reports never take the pool from interactive calls; three failures in a row open the circuit for 30 s.
 */
import { Backend } from "@bulwark/core"

/** The backend's name, as tools declare it and kill switches name it. */
export const ticketsAnalytics = "tickets-analytics"

/** Its policy. */
export const ticketsAnalyticsBackend = Backend.declare(ticketsAnalytics, {
  timeout: "2 minutes",
  retry: { retries: 1, baseDelay: "200 millis" },
  breaker: { consecutiveFailures: 3, openFor: "30 seconds" },
  bulkhead: { maxConcurrent: 2, maxQueued: 8, queueTimeout: "1 minute", perTenant: 1 }
})
