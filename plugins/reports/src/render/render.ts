/**
 * A report rendered for reading (Markdown), for spreadsheets (CSV: one `section,key,value` row per figure) or for
 * programs (JSON).
 */
import type { Format } from "../analytics/Period.ts"
import type { Durations, Report } from "../analytics/Report.ts"

/** The MIME type of each format. */
export const mimeTypes: Readonly<Record<Format, string>> = {
  markdown: "text/markdown",
  csv: "text/csv",
  json: "application/json"
}

const hours = (value: number | null) => (value === null ? "–" : `${value.toFixed(1)} h`)

const durationRow = (label: string, durations: Durations) =>
  `| ${label} | ${durations.tickets} | ${hours(durations.medianHours)} | ${hours(durations.p90Hours)} | ${hours(durations.meanHours)} |`

const markdown = (report: Report): string => {
  const counts = (record: Readonly<Record<string, number>>) =>
    Object.entries(record).map(([key, n]) => `| ${key} | ${n} |`)
  return [
    `# Ticket report ${report.period.from} – ${report.period.to}`,
    "",
    `Tenant \`${report.tenantId}\`, generated ${report.generatedAt} (report ${report.id}).`,
    "",
    `## Volumes: ${report.volumes.created} tickets created`,
    "",
    "| Status | Tickets |",
    "|---|---:|",
    ...counts(report.volumes.byStatus),
    "",
    "| Priority | Tickets |",
    "|---|---:|",
    ...counts(report.volumes.byPriority),
    "",
    "## Response and resolution times",
    "",
    "| | Tickets | Median | 90th percentile | Mean |",
    "|---|---:|---:|---:|---:|",
    durationRow("First response", report.firstResponse),
    durationRow("Resolution", report.resolution),
    "",
    `${report.firstResponse.unanswered} tickets had no response by someone other than their reporter.`,
    "",
    "## Backlog per assignee (end of period)",
    "",
    "| Assignee | Open | In progress |",
    "|---|---:|---:|",
    ...report.backlogByAssignee.map((row) => `| ${row.assignee} | ${row.open} | ${row.inProgress} |`),
    "",
    "## Backlog per day",
    "",
    "| Day | Open or in progress at its end |",
    "|---|---:|",
    ...report.backlogByDay.map((row) => `| ${row.day} | ${row.open} |`),
    ""
  ].join("\n")
}

const cell = (value: string | number | null) => {
  const text = value === null ? "" : String(value)
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

const csv = (report: Report): string => {
  const rows: Array<ReadonlyArray<string | number | null>> = [
    ["section", "key", "value"],
    ["period", "from", report.period.from],
    ["period", "to", report.period.to],
    ["volumes", "created", report.volumes.created],
    ...Object.entries(report.volumes.byStatus).map(([key, n]) => ["volume_by_status", key, n]),
    ...Object.entries(report.volumes.byPriority).map(([key, n]) => ["volume_by_priority", key, n])
  ]
  for (const [section, durations] of [
    ["first_response", report.firstResponse],
    ["resolution", report.resolution]
  ] as const) {
    rows.push(
      [section, "tickets", durations.tickets],
      [section, "median_hours", durations.medianHours],
      [section, "p90_hours", durations.p90Hours],
      [section, "mean_hours", durations.meanHours]
    )
  }
  rows.push(["first_response", "unanswered", report.firstResponse.unanswered])
  for (const row of report.backlogByAssignee) {
    rows.push(["backlog_open", row.assignee, row.open], ["backlog_in_progress", row.assignee, row.inProgress])
  }
  for (const row of report.backlogByDay) rows.push(["backlog_by_day", row.day, row.open])
  return `${rows.map((row) => row.map(cell).join(",")).join("\n")}\n`
}

/** Renders a report in a format. */
export const render = (report: Report, format: Format): string =>
  format === "markdown" ? markdown(report) : format === "csv" ? csv(report) : JSON.stringify(report, null, 2)
