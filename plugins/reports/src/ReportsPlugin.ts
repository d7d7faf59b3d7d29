/**
 * The reports plugin: `generate_report` (a long-running task) and the `report://{id}` resource, reading the tickets
 * tables through the `tickets-analytics` backend. Installable alone (`Reports`, its default export, needs the app's
 * `SqlClient`); without the tickets tables its tool answers that there is nothing to report on.
 */
import { Plugin } from "@bulwark/core"
import { Layer } from "effect"
import type { TicketAnalytics } from "./analytics/TicketAnalytics.ts"
import { layer as analyticsLayer } from "./analytics/TicketAnalytics.ts"
import { ticketsAnalyticsBackend } from "./backend.ts"
import { reportResource } from "./resources/reportResource.ts"
import { type ReportStore, layer as storeLayer } from "./store/ReportStore.ts"
import { generateReport } from "./tools/generateReport.ts"

/** The plugin value. */
export const ReportsPlugin: Plugin.Plugin<TicketAnalytics | ReportStore> = Plugin.make({
  name: "reports",
  version: "0.1.0",
  description: "Ticket analytics reports for a period, generated in the background.",
  tools: [generateReport],
  resources: [reportResource],
  backends: [ticketsAnalyticsBackend]
})

/** What its handlers need, on the app's `SqlClient` (its table migrated). */
export const ReportsLive = Layer.merge(analyticsLayer, storeLayer)

/** The installable plugin. */
export const Reports = Plugin.install(ReportsPlugin, ReportsLive)
