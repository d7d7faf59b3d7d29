/**
 * `@bulwark/resilience`: every backend a plugin calls as a supervised actor with its policy (deadline, retries of
 * idempotent calls within a budget, circuit breaker, bulkhead with a per-tenant share, health probe), enforced by a
 * pipeline stage, with its Prometheus series. Plugins declare backends with core's `Backend.declare`.
 *
 * @since 0.1.0
 */

/** One backend's guard: breaker, bulkhead, attempts, probe. */
export * as BackendGuard from "./BackendGuard.ts"
/** The backends' Prometheus series. */
export * as BackendMetrics from "./BackendMetrics.ts"
/** The pipeline stage that runs calls under their backends' policies. */
export * as BackendStage from "./BackendStage.ts"
/** Every backend of the catalog with its guard. */
export { Backends, type BackendsShape, layer as layerBackends } from "./Backends.ts"
/** Retries as a share of calls. */
export * as RetryBudget from "./RetryBudget.ts"
