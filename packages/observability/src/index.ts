/**
 * `@bulwark/observability`: the exporters and the log format of Bulwark.
 *
 * The request pipeline records with plain Effect APIs (`Metric`, `Effect.annotateLogs`, `Effect.withSpan`); this
 * package defines the request metrics and turns metrics, logs and spans into Prometheus text, JSON lines on stderr
 * and OTLP traces.
 *
 * @since 0.1.0
 */

/** Timestamps as ISO 8601 text, made fast (log lines and audit records write one each). */
export { isoTime } from "./IsoTime.ts"
/** The JSON lines logger on stderr. */
export * as JsonLogs from "./JsonLogs.ts"
/** A string as JSON text, fast for printable ASCII (log lines and audit records write many). */
export { jsonString } from "./JsonString.ts"

/** What the process uses (`process_*`, `nodejs_*`, the memory limits) and `bulwark_build_info`. */
export * as ProcessMetrics from "./ProcessMetrics.ts"

/** Prometheus text exposition of the metric registry and the `GET /metrics` route. */
export * as Prometheus from "./Prometheus.ts"

/** Request metric definitions and the helpers the pipeline records them with. */
export * as RequestMetrics from "./RequestMetrics.ts"

/** A metric's labelled series, each made once (no series key computed per update). */
export { type Series, series } from "./Series.ts"

/** OTLP/HTTP trace export from the standard OpenTelemetry environment variables. */
export * as Tracing from "./Tracing.ts"
