/**
 * The audit log's metrics, as plain Effect `Metric`s (rendered by the app's Prometheus route like every other).
 * They sum over every `AuditLog` in the process.
 *
 * @since 0.1.0
 */
import { Metric } from "effect"

/** `bulwark_audit_backlog`: records accepted but not yet written to PostgreSQL. Grows while the database is down. */
export const backlog: Metric.Gauge<number> = Metric.gauge("bulwark_audit_backlog", {
  description: "Audit records accepted but not yet written to the database"
})

/** `bulwark_audit_records_written_total`: records committed to PostgreSQL. */
export const recordsWritten: Metric.Counter<number> = Metric.counter("bulwark_audit_records_written_total", {
  description: "Audit records written to the database",
  incremental: true
})

/** `bulwark_audit_write_failures_total`: failed batch write attempts (each is retried). */
export const writeFailures: Metric.Counter<number> = Metric.counter("bulwark_audit_write_failures_total", {
  description: "Failed audit batch writes (retried with backoff)",
  incremental: true
})
