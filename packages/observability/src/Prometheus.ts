/**
 * Prometheus text exposition of the current Effect metric registry, with the process series sampled at the same
 * moment.
 *
 * Thin over `effect/observability` `PrometheusMetrics`, which renders every metric in the registry of the running
 * fiber (counters, gauges, histograms with `_bucket`/`_sum`/`_count`). What it adds: {@link ProcessMetrics} are
 * sampled right before rendering, and labels can be dropped at exposition (`withoutLabels`), their series summed,
 * which is how `tenant_id` leaves every series when an operator turns per-tenant series off: the hot paths still
 * record what they know, and the scrape, once every few seconds, pays for the merge.
 *
 * @since 0.1.0
 */
import { Effect, type Layer } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { PrometheusMetrics } from "effect/observability"
import * as ProcessMetrics from "./ProcessMetrics.ts"

/** The content type of the exposition format this module renders. */
export const contentType = "text/plain; version=0.0.4; charset=utf-8"

/** What to render. */
export interface TextOptions {
  /** Labels to drop from every series, summing the series that become equal (e.g. `["tenant_id"]`). */
  readonly withoutLabels?: ReadonlyArray<string> | undefined
}

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

/** `text` with the `dropped` labels removed and the series that become equal summed, in first-seen order. */
export const dropLabels = (text: string, dropped: ReadonlyArray<string>): string => {
  if (dropped.length === 0) return text
  const out: Array<string> = []
  const sums = new Map<string, number>()
  for (const line of text.split("\n")) {
    const sample = line.startsWith("#") ? null : sampleLine.exec(line)
    if (sample === null) {
      out.push(line)
      continue
    }
    const [, name, labels = "", value = "0"] = sample
    const kept = [...labels.matchAll(labelPair)]
      .filter((pair) => !dropped.includes(pair[1] ?? ""))
      .map((pair) => pair[0])
    const key = kept.length === 0 ? `${name}` : `${name}{${kept.join(",")}}`
    const previous = sums.get(key)
    if (previous === undefined) out.push(key)
    sums.set(key, (previous ?? 0) + Number(value))
  }
  return out
    .map((line) => {
      const sum = sums.get(line)
      return sum === undefined ? line : `${line} ${sum}`
    })
    .join("\n")
}

/** The metrics of the current registry, process series included, in Prometheus text format (version 0.0.4). */
export const text = (options: TextOptions = {}): Effect.Effect<string> =>
  Effect.andThen(ProcessMetrics.sample, PrometheusMetrics.format()).pipe(
    Effect.map((rendered) => dropLabels(rendered, options.withoutLabels ?? []))
  )

/** The answer to a scrape: {@link text} with content type {@link contentType}. */
export const response = (options: TextOptions = {}): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Effect.map(text(options), (body) => HttpServerResponse.text(body, { contentType }))

/**
 * Adds `GET /metrics` to the `HttpRouter`, answering {@link response}. Mount it only where scrapers, not clients, can
 * reach it: the series carry tenant ids.
 */
export const route = (options: TextOptions = {}): Layer.Layer<never, never, HttpRouter.HttpRouter> =>
  HttpRouter.add("GET", "/metrics", response(options))
