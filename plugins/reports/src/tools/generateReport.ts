/**
 * `generate_report`: ticket analytics for a period, as a long-running task (a job for 2025 clients). It reports
 * progress as it goes (one step per query, one per day of the backlog), keeps the report as `report://{id}` (the
 * id is the job's, so a run repeated after a crash keeps it once), and answers with the rendered report and a link
 * to it. Cancelling the task stops it between queries and cancels the one running.
 */
import { Content, Tool, ToolError } from "@bulwark/core"
import { Effect, Schema } from "effect"
import { daysOf, endOf, type Format, ReportRequest } from "../analytics/Period.ts"
import type { Report } from "../analytics/Report.ts"
import { TicketAnalytics } from "../analytics/TicketAnalytics.ts"
import { ticketsAnalytics } from "../backend.ts"
import { mimeTypes, render } from "../render/render.ts"
import { ReportStore } from "../store/ReportStore.ts"

/** A report's resource URI. */
export const reportUri = (id: string) => `report://${id}`

/** The tickets tables are not there (the tickets plugin was never installed on this database). */
export class TicketsDataMissing extends Schema.TaggedError<TicketsDataMissing>()("TicketsDataMissing", {
  message: Schema.String
}) {}

/** Whether a SQL failure says a table does not exist (SQLSTATE 42P01), in itself, its reason or their causes. */
const undefinedTable = (error: unknown, depth = 0): boolean => {
  if (depth > 4 || typeof error !== "object" || error === null) return false
  const { code, reason, cause } = error as { code?: unknown; reason?: unknown; cause?: unknown }
  return code === "42P01" || undefinedTable(reason, depth + 1) || undefinedTable(cause, depth + 1)
}

const missingTables = () =>
  new TicketsDataMissing({
    message: "There are no tickets to report on: the tickets tables do not exist in this server's database."
  })

export const generateReport = Tool.make("generate_report", {
  title: "Generate a ticket report",
  description:
    "Ticket analytics for a period of days: volumes by status and priority, first-response and resolution times, " +
    "backlog per assignee and per day. Runs in the background (a task); the report is kept as report://{id}.",
  input: ReportRequest,
  errors: [ToolError, TicketsDataMissing],
  backends: [ticketsAnalytics],
  hints: { readOnly: false, idempotent: true, openWorld: false },
  timeout: "5 minutes",
  task: { mode: "required", keep: "7 days", maxAttempts: 3 },
  handler: (request, context) =>
    Effect.gen(function* () {
      const days = daysOf(request)
      if (typeof days === "string") return yield* new ToolError({ message: days })
      const format: Format = request.format ?? "markdown"
      const analytics = yield* TicketAnalytics
      const store = yield* ReportStore
      const tenantId = context.call.tenantId
      const id = context.job?.id ?? context.call.requestId
      const span = { from: `${request.from}T00:00:00.000Z`, to: endOf(request.to) }
      const total = days.length + 4
      let done = 0
      const step = <A, E, R>(message: string, work: Effect.Effect<A, E, R>) =>
        Effect.tap(work, () => context.progress(++done, total, message))

      const volumes = yield* step("volumes", analytics.volumes(tenantId, span))
      const firstResponse = yield* step("first responses", analytics.firstResponse(tenantId, span))
      const resolution = yield* step("resolution times", analytics.resolution(tenantId, span))
      const backlogByAssignee = yield* step("backlog per assignee", analytics.backlogByAssignee(tenantId, span.to))
      const backlogByDay: Array<{ readonly day: string; readonly open: number }> = []
      for (const day of days) {
        const open = yield* step(`backlog on ${day}`, analytics.backlogAt(tenantId, endOf(day)))
        backlogByDay.push({ day, open })
      }
      const byStatus: Record<string, number> = {}
      const byPriority: Record<string, number> = {}
      for (const row of volumes) {
        byStatus[row.status] = (byStatus[row.status] ?? 0) + row.n
        byPriority[row.priority] = (byPriority[row.priority] ?? 0) + row.n
      }
      const report: Report = {
        id,
        tenantId,
        period: { from: request.from, to: request.to },
        generatedAt: new Date().toISOString(),
        volumes: { created: volumes.reduce((sum, row) => sum + row.n, 0), byStatus, byPriority },
        firstResponse,
        resolution,
        backlogByAssignee,
        backlogByDay
      }
      const body = render(report, format)
      yield* store.save(tenantId, { id, format, from: request.from, to: request.to, body })
      return [
        Content.text(body),
        Content.resourceLink(reportUri(id), `Ticket report ${request.from} – ${request.to}`, {
          mimeType: mimeTypes[format]
        })
      ]
    }).pipe(
      Effect.catchTag("SqlError", (error) => (undefinedTable(error) ? Effect.fail(missingTables()) : Effect.die(error)))
    )
})
