/**
 * The queries a report is made of, over the tickets plugin's tables (`tickets`, `ticket_comments`, `users`: the
 * tickets schema is the contract; this plugin imports none of the tickets plugin's code). Each is one aggregate
 * query in PostgreSQL, scoped to a tenant; the daily backlog is one query per day, so a long period reports progress
 * as it goes and a cancellation stops it between (and inside: the running query is cancelled) days.
 *
 * Resolution time is a ticket's last update minus its creation, for tickets now resolved or closed: the tickets
 * schema keeps no status history. A day's backlog counts tickets created before its end that were open or in
 * progress at its end, by the same measure.
 */
import { Context, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import type { Durations } from "./Report.ts"

interface DurationRow {
  readonly tickets: number
  readonly median_hours: number | null
  readonly p90_hours: number | null
  readonly mean_hours: number | null
}

const durations = (row: DurationRow | undefined): Durations => ({
  tickets: row?.tickets ?? 0,
  medianHours: row?.median_hours ?? null,
  p90Hours: row?.p90_hours ?? null,
  meanHours: row?.mean_hours ?? null
})

/** A period: `[from, to)` as ISO instants. */
export interface Span {
  readonly from: string
  readonly to: string
}

/** The report's queries. */
export interface TicketAnalyticsShape {
  readonly volumes: (
    tenantId: string,
    span: Span
  ) => Effect.Effect<
    ReadonlyArray<{ readonly status: string; readonly priority: string; readonly n: number }>,
    SqlError
  >
  readonly firstResponse: (
    tenantId: string,
    span: Span
  ) => Effect.Effect<Durations & { readonly unanswered: number }, SqlError>
  readonly resolution: (tenantId: string, span: Span) => Effect.Effect<Durations, SqlError>
  readonly backlogByAssignee: (
    tenantId: string,
    at: string
  ) => Effect.Effect<
    ReadonlyArray<{
      readonly assigneeId: number | null
      readonly assignee: string
      readonly open: number
      readonly inProgress: number
    }>,
    SqlError
  >
  readonly backlogAt: (tenantId: string, at: string) => Effect.Effect<number, SqlError>
}

/** The report's queries. */
export class TicketAnalytics extends Context.Service<TicketAnalytics, TicketAnalyticsShape>()(
  "@bulwark/plugin-reports/TicketAnalytics"
) {}

const HOURS = (expression: string) => `
  count(*)::int AS tickets,
  (percentile_cont(0.5) WITHIN GROUP (ORDER BY ${expression}) / 3600)::float8 AS median_hours,
  (percentile_cont(0.9) WITHIN GROUP (ORDER BY ${expression}) / 3600)::float8 AS p90_hours,
  (avg(${expression}) / 3600)::float8 AS mean_hours`

/** The queries on the app's `SqlClient`. */
export const layer: Layer.Layer<TicketAnalytics, never, SqlClient> = Layer.effect(
  TicketAnalytics,
  Effect.map(SqlClient, (sql) => {
    const firstResponseSeconds = sql.literal(HOURS("extract(epoch FROM r.first_at - t.created_at)"))
    const resolutionSeconds = sql.literal(HOURS("extract(epoch FROM t.updated_at - t.created_at)"))
    return TicketAnalytics.of({
      volumes: (tenantId, span) =>
        sql<{ readonly status: string; readonly priority: string; readonly n: number }>`
          SELECT status, priority, count(*)::int AS n FROM tickets
          WHERE tenant_id = ${tenantId} AND created_at >= ${span.from} AND created_at < ${span.to}
          GROUP BY status, priority ORDER BY status, priority`,
      firstResponse: (tenantId, span) =>
        Effect.all([
          sql<DurationRow>`
            SELECT ${firstResponseSeconds}
            FROM tickets t
            JOIN LATERAL (
              SELECT min(c.created_at) AS first_at FROM ticket_comments c
              WHERE c.tenant_id = t.tenant_id AND c.ticket_id = t.id AND c.author_id <> t.reporter_id
            ) r ON r.first_at IS NOT NULL
            WHERE t.tenant_id = ${tenantId} AND t.created_at >= ${span.from} AND t.created_at < ${span.to}
              AND t.status <> 'deleted'`,
          sql<{ readonly unanswered: number }>`
            SELECT count(*)::int AS unanswered FROM tickets t
            WHERE t.tenant_id = ${tenantId} AND t.created_at >= ${span.from} AND t.created_at < ${span.to}
              AND t.status <> 'deleted'
              AND NOT EXISTS (SELECT 1 FROM ticket_comments c WHERE c.tenant_id = t.tenant_id AND c.ticket_id = t.id
                                AND c.author_id <> t.reporter_id)`
        ]).pipe(Effect.map(([rows, missing]) => ({ ...durations(rows[0]), unanswered: missing[0]?.unanswered ?? 0 }))),
      resolution: (tenantId, span) =>
        sql<DurationRow>`
          SELECT ${resolutionSeconds} FROM tickets t
          WHERE t.tenant_id = ${tenantId} AND t.created_at >= ${span.from} AND t.created_at < ${span.to}
            AND t.status IN ('resolved', 'closed')`.pipe(Effect.map((rows) => durations(rows[0]))),
      backlogByAssignee: (tenantId, at) =>
        sql<{
          readonly assignee_id: number | null
          readonly name: string | null
          readonly open: number
          readonly in_progress: number
        }>`
          SELECT t.assignee_id, u.name,
                 count(*) FILTER (WHERE t.status = 'open')::int AS open,
                 count(*) FILTER (WHERE t.status = 'in_progress')::int AS in_progress
          FROM tickets t LEFT JOIN users u ON u.tenant_id = t.tenant_id AND u.id = t.assignee_id
          WHERE t.tenant_id = ${tenantId} AND t.created_at < ${at} AND t.status IN ('open', 'in_progress')
          GROUP BY t.assignee_id, u.name
          ORDER BY count(*) DESC, t.assignee_id NULLS FIRST
          LIMIT 100`.pipe(
          Effect.map((rows) =>
            rows.map((row) => ({
              assigneeId: row.assignee_id,
              assignee: row.name ?? "unassigned",
              open: row.open,
              inProgress: row.in_progress
            }))
          )
        ),
      backlogAt: (tenantId, at) =>
        sql<{ readonly open: number }>`
          SELECT count(*)::int AS open FROM tickets
          WHERE tenant_id = ${tenantId} AND created_at < ${at} AND status <> 'deleted'
            AND (status IN ('open', 'in_progress') OR updated_at >= ${at})`.pipe(
          Effect.map((rows) => rows[0]?.open ?? 0)
        )
    })
  })
)
