/**
 * The Prometheus series of every backend, labelled `backend`: calls by outcome, their duration, retries, the
 * circuit's state and transitions, the bulkhead's use and refusals, and the health probe's verdict. The alert
 * conditions in the README are written on these.
 */
import { Metric } from "effect"

/** How a call to a backend ended, as the `outcome` label says it. */
export type CallOutcome = "success" | "failure" | "timeout" | "circuit_open" | "bulkhead_full"

/** `bulwark_backend_calls_total{backend,outcome}`. */
export const calls: Metric.Counter<number> = Metric.counter("bulwark_backend_calls_total", {
  description: "Calls to a backend, by outcome (success, failure, timeout, circuit_open, bulkhead_full)",
  incremental: true
})

/** `bulwark_backend_call_duration_seconds{backend}`: calls that ran (not those refused before running). */
export const duration: Metric.Histogram<number> = Metric.histogram("bulwark_backend_call_duration_seconds", {
  description: "Duration of calls to a backend that ran, in seconds",
  boundaries: Metric.boundariesFromIterable([0.005, 0.025, 0.1, 0.5, 1, 2.5, 5, 10])
})

/** `bulwark_backend_retries_total{backend}`. */
export const retries: Metric.Counter<number> = Metric.counter("bulwark_backend_retries_total", {
  description: "Retries of idempotent calls to a backend after a transient failure",
  incremental: true
})

/** `bulwark_backend_retries_denied_total{backend}`: retries the budget did not allow. */
export const retriesDenied: Metric.Counter<number> = Metric.counter("bulwark_backend_retries_denied_total", {
  description: "Retries a backend's retry budget did not allow",
  incremental: true
})

/** `bulwark_backend_circuit_state{backend}`: 0 closed, 1 half-open, 2 open. */
export const circuitState: Metric.Gauge<number> = Metric.gauge("bulwark_backend_circuit_state", {
  description: "A backend's circuit: 0 closed, 1 half-open, 2 open"
})

/** `bulwark_backend_circuit_transitions_total{backend,to}`. */
export const circuitTransitions: Metric.Counter<number> = Metric.counter("bulwark_backend_circuit_transitions_total", {
  description: "Transitions of a backend's circuit, by the state entered",
  incremental: true
})

/** `bulwark_backend_bulkhead_in_use{backend}`: calls running now. */
export const bulkheadInUse: Metric.Gauge<number> = Metric.gauge("bulwark_backend_bulkhead_in_use", {
  description: "Calls to a backend running now"
})

/**
 * `bulwark_backend_bulkhead_limit{backend}`: calls that may run at once (the policy's `maxConcurrent`; for a
 * database backend, its pool). In use at the limit with calls refused is the "pool exhausted" alert.
 */
export const bulkheadLimit: Metric.Gauge<number> = Metric.gauge("bulwark_backend_bulkhead_limit", {
  description: "Calls to a backend that may run at once"
})

/** `bulwark_backend_up{backend}`: 1 when the last health probe succeeded, 0 when it failed. */
export const up: Metric.Gauge<number> = Metric.gauge("bulwark_backend_up", {
  description: "1 when a backend's last health probe succeeded, 0 when it failed"
})
