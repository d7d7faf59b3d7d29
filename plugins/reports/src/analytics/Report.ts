/**
 * A ticket analytics report for a period: volumes of the tickets created in it (by status and by priority), how
 * long they waited for a first response (the first comment by someone other than the reporter) and took to be
 * resolved, the backlog per assignee at the end of the period, and the backlog at the end of each day.
 */
import { Schema } from "effect"

/** Durations, in hours: how many tickets, and their median, 90th percentile and mean (null without tickets). */
export const Durations = Schema.Struct({
  tickets: Schema.Int,
  medianHours: Schema.NullOr(Schema.Number),
  p90Hours: Schema.NullOr(Schema.Number),
  meanHours: Schema.NullOr(Schema.Number)
})

/** Durations, in hours. */
export type Durations = typeof Durations.Type

/** One assignee's backlog (null id: unassigned). */
export const AssigneeBacklog = Schema.Struct({
  assigneeId: Schema.NullOr(Schema.Int),
  assignee: Schema.String,
  open: Schema.Int,
  inProgress: Schema.Int
})

/** The backlog at the end of one day (UTC). */
export const DayBacklog = Schema.Struct({ day: Schema.String, open: Schema.Int })

/** A report. */
export const Report = Schema.Struct({
  id: Schema.String,
  tenantId: Schema.String,
  period: Schema.Struct({ from: Schema.String, to: Schema.String }),
  generatedAt: Schema.String,
  volumes: Schema.Struct({
    created: Schema.Int,
    byStatus: Schema.Record(Schema.String, Schema.Int),
    byPriority: Schema.Record(Schema.String, Schema.Int)
  }),
  firstResponse: Schema.Struct({ ...Durations.fields, unanswered: Schema.Int }),
  resolution: Durations,
  backlogByAssignee: Schema.Array(AssigneeBacklog),
  backlogByDay: Schema.Array(DayBacklog)
})

/** A report. */
export type Report = typeof Report.Type
