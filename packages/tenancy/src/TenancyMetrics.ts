/**
 * Tenancy's metrics, as plain Effect `Metric`s (rendered by `@bulwark/observability`'s Prometheus route).
 * Labels: `tenant_id` (configured tenants only), `method` (the MCP method), `tool_name` (the catalog's name of the
 * tool a `tools/call` is for, else empty), `limit`.
 *
 * @since 0.1.0
 */
import { type Series, series } from "@bulwark/observability"
import { type Context, type Effect, Metric } from "effect"

/** `bulwark_rate_limit_allowed_total{tenant_id, method, tool_name, limit}`: requests a rate limit let through. */
export const rateLimitAllowed: Metric.Counter<number> = Metric.counter("bulwark_rate_limit_allowed_total", {
  description: "Requests a rate limit let through",
  incremental: true
})

/** `bulwark_rate_limit_rejected_total{tenant_id, method, tool_name, limit}`: requests a rate limit refused. */
export const rateLimitRejected: Metric.Counter<number> = Metric.counter("bulwark_rate_limit_rejected_total", {
  description: "Requests a rate limit refused",
  incremental: true
})

/** `bulwark_rate_limiter_errors_total{tenant_id}`: rate limiter store failures (the request was let through). */
export const rateLimiterErrors: Metric.Counter<number> = Metric.counter("bulwark_rate_limiter_errors_total", {
  description: "Rate limiter store failures; requests are let through",
  incremental: true
})

/** `bulwark_quota_units_total{tenant_id, tool_name}`: cost units consumed. */
export const quotaUnits: Metric.Counter<number> = Metric.counter("bulwark_quota_units_total", {
  description: "Cost units consumed by tool calls",
  incremental: true
})

/** `bulwark_quota_rejected_total{tenant_id, tool_name, limit}`: tool calls refused by a daily or monthly quota. */
export const quotaRejected: Metric.Counter<number> = Metric.counter("bulwark_quota_rejected_total", {
  description: "Tool calls refused by a quota",
  incremental: true
})

/** `bulwark_concurrency_rejected_total{tenant_id}`: requests refused for want of a permit. */
export const concurrencyRejected: Metric.Counter<number> = Metric.counter("bulwark_concurrency_rejected_total", {
  description: "Requests refused by the tenant's concurrency limit",
  incremental: true
})

/** `bulwark_background_restarts_total{tenant_id, task}`: supervised background fibers restarted after a crash. */
export const backgroundRestarts: Metric.Counter<number> = Metric.counter("bulwark_background_restarts_total", {
  description: "Supervised background fibers restarted after a crash",
  incremental: true
})

/** `bulwark_tenants_live`: tenant actors currently up in this process. */
export const tenantsLive: Metric.Gauge<number> = Metric.gauge("bulwark_tenants_live", {
  description: "Tenant actors currently up in this process"
})

const seriesOf = new Map<Metric.Counter<number>, Series<number, Metric.CounterState<number>>>()

/** A counter's series for these labels (each label set's series made once): for a guard that keeps it. */
export const labelledOf = (
  metric: Metric.Counter<number>,
  attributes: Readonly<Record<string, string>>
): Metric.Metric<number, Metric.CounterState<number>> => {
  let labelled = seriesOf.get(metric)
  if (labelled === undefined) {
    labelled = series(metric)
    seriesOf.set(metric, labelled)
  }
  return labelled(attributes)
}

/** Adds `amount` to a counter under these labels (each label set's series made once). */
export const count = (
  metric: Metric.Counter<number>,
  attributes: Readonly<Record<string, string>>,
  amount = 1
): Effect.Effect<void> => Metric.update(labelledOf(metric, attributes), amount)

/** The same at once, in the registry of `context` (a request's: a guard's check or end). */
export const countIn = (
  context: Context.Context<never>,
  metric: Metric.Counter<number>,
  attributes: Readonly<Record<string, string>>,
  amount = 1
): void => labelledOf(metric, attributes).updateUnsafe(amount, context)
