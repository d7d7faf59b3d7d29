/**
 * A metric's series by label values, each made once. `Metric.withAttributes` makes a new metric value whose series
 * key (the metric's id with its sorted labels, as JSON) is computed on its first update; recording through a fresh
 * one on every request computes that key every time. `series(metric)` keeps one labelled metric per distinct label
 * set instead, so a request records with a map lookup. Label values must come from small, known sets (tenants,
 * catalog names, outcomes) as Prometheus requires anyway; past `limit` distinct sets the cache starts over rather
 * than grow.
 *
 * @since 0.1.0
 */
import { Metric } from "effect"

/** The labelled series of one metric. */
export type Series<Input, State> = (labels: Readonly<Record<string, string>>) => Metric.Metric<Input, State>

/** Caches `metric`'s labelled series (at most `limit` label sets at a time). */
export const series = <Input, State>(metric: Metric.Metric<Input, State>, limit = 10_000): Series<Input, State> => {
  const made = new Map<string, Metric.Metric<Input, State>>()
  return (labels) => {
    let key = ""
    for (const name in labels) key += `${name}\u0000${labels[name]}\u0001`
    let labelled = made.get(key)
    if (labelled === undefined) {
      if (made.size >= limit) made.clear()
      labelled = Metric.withAttributes(metric, labels)
      made.set(key, labelled)
    }
    return labelled
  }
}
