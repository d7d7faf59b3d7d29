/**
 * What `generate_report` is asked for: a period of whole days (UTC), at most a year, and a format.
 */
import { Schema } from "effect"

const Day = Schema.String.check(Schema.isPattern(/^\d{4}-\d{2}-\d{2}$/)).annotate({
  description: "A day, YYYY-MM-DD (UTC)"
})

/** The formats a report is rendered in. */
export const Format = Schema.Literals(["markdown", "csv", "json"])

/** A format. */
export type Format = typeof Format.Type

/** The arguments of `generate_report`. */
export const ReportRequest = Schema.Struct({
  from: Day.annotate({ description: "First day of the period (UTC), e.g. 2026-10-01" }),
  to: Day.annotate({ description: "Last day of the period (UTC), included, e.g. 2026-12-31" }),
  format: Schema.optionalKey(Format.annotate({ description: "markdown (default), csv or json" }))
})

/** The arguments. */
export type ReportRequest = typeof ReportRequest.Type

/** The days of the period, first to last; a message when it is not a valid period. */
export const daysOf = (request: ReportRequest): ReadonlyArray<string> | string => {
  const from = Date.parse(`${request.from}T00:00:00Z`)
  const to = Date.parse(`${request.to}T00:00:00Z`)
  if (Number.isNaN(from) || new Date(from).toISOString().slice(0, 10) !== request.from) {
    return `"from" is not a day: ${request.from}`
  }
  if (Number.isNaN(to) || new Date(to).toISOString().slice(0, 10) !== request.to)
    return `"to" is not a day: ${request.to}`
  if (to < from) return `"to" (${request.to}) is before "from" (${request.from})`
  const count = Math.round((to - from) / 86_400_000) + 1
  if (count > 366) return `The period has ${count} days; a report covers at most 366`
  return Array.from({ length: count }, (_, i) => new Date(from + i * 86_400_000).toISOString().slice(0, 10))
}

/** The instant after the last day. */
export const endOf = (day: string): string => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString()
