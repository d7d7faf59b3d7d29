/**
 * A metric's series by label values, each made once. `Metric.withAttributes` makes a new metric value whose series
 * key (the metric's id with its sorted labels, as JSON) is computed on its first update; recording through a fresh
 * one on every request computes that key every time. `series(metric)` keeps one labelled metric per distinct label
 * set instead, found by walking the labels' names and values through nested maps (no key is built per update: a
 * request updates half a dozen series). Label values must come from small, known sets (tenants, catalog names,
 * outcomes) as Prometheus requires anyway; past `limit` distinct sets the cache starts over rather than grow.
 *
 * @since 0.1.0
 */
import { Metric } from "effect"

/** The labelled series of one metric. */
export type Series<Input, State> = (labels: Readonly<Record<string, string>>) => Metric.Metric<Input, State>

/** One step of the walk: by a label's name, then its value, to the next step; the series made for the labels so far. */
interface Step<M> {
  readonly next: Map<string, Map<string, Step<M>>>
  labelled: M | undefined
}

const step = <M>(): Step<M> => ({ next: new Map(), labelled: undefined })

/** Caches `metric`'s labelled series (at most `limit` label sets at a time). */
export const series = <Input, State>(metric: Metric.Metric<Input, State>, limit = 10_000): Series<Input, State> => {
  let root = step<Metric.Metric<Input, State>>()
  let made = 0
  return (labels) => {
    let at = root
    for (const name in labels) {
      let byValue = at.next.get(name)
      if (byValue === undefined) {
        byValue = new Map()
        at.next.set(name, byValue)
      }
      const value = labels[name] as string
      let next = byValue.get(value)
      if (next === undefined) {
        next = step()
        byValue.set(value, next)
      }
      at = next
    }
    if (at.labelled !== undefined) return at.labelled
    const labelled = Metric.withAttributes(metric, labels)
    if (made >= limit) {
      // Start over: the steps walked above belong to the old tree, which is dropped.
      root = step()
      made = 0
      return labelled
    }
    made += 1
    at.labelled = labelled
    return labelled
  }
}
