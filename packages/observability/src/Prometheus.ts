/**
 * Prometheus text exposition of the current Effect metric registry.
 *
 * Thin over `effect/observability` `PrometheusMetrics`, which renders every metric in the registry of the
 * running fiber (counters, gauges, histograms with `_bucket`/`_sum`/`_count`).
 *
 * @since 0.1.0
 */
import type { Effect, Layer } from "effect"
import type { HttpRouter } from "effect/http"
import { PrometheusMetrics } from "effect/observability"

/** The metrics of the current registry in Prometheus text exposition format (version 0.0.4). */
export const text: Effect.Effect<string> = PrometheusMetrics.format()

/**
 * Adds `GET /metrics` to the `HttpRouter`, answering {@link text} with content type
 * `text/plain; version=0.0.4; charset=utf-8`. Mount it only where scrapers, not clients, can reach it: the
 * series carry tenant ids.
 */
export const route: Layer.Layer<never, never, HttpRouter.HttpRouter> = PrometheusMetrics.layerHttp({ path: "/metrics" })
