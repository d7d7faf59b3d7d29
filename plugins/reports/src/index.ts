/**
 * `@bulwark/plugin-reports`: ticket analytics reports for a period (volumes by status and priority, first-response
 * and resolution times, backlog per assignee and per day) in Markdown, CSV or JSON, generated as a long-running task
 * and kept as `report://{id}`.
 *
 * Install with `Reports` (its default export, so `plugins.reports.module: "@bulwark/plugin-reports"` works too) on a
 * server that runs tasks (the bundled server does); it needs the app's `SqlClient` and reads the tickets tables.
 */
import { Reports } from "./ReportsPlugin.ts"

export { Format, ReportRequest } from "./analytics/Period.ts"
export { Report } from "./analytics/Report.ts"
export { TicketAnalytics } from "./analytics/TicketAnalytics.ts"
export { ticketsAnalytics, ticketsAnalyticsBackend } from "./backend.ts"
export { Reports, ReportsLive, ReportsPlugin } from "./ReportsPlugin.ts"
export { render } from "./render/render.ts"
export { owner as migrationOwner, ReportStore } from "./store/ReportStore.ts"
export { generateReport, reportUri, TicketsDataMissing } from "./tools/generateReport.ts"

/** The installable plugin, for servers that install plugins by module name. */
export default Reports
