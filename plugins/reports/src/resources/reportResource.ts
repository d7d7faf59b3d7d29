/**
 * The `report://{id}` resource template: a report `generate_report` made, in the format it was asked for, readable
 * by its tenant; `resources/list` shows the tenant's newest reports.
 */
import { Resource, ResourceNotFound } from "@bulwark/core"
import { Effect } from "effect"
import { mimeTypes } from "../render/render.ts"
import { ReportStore } from "../store/ReportStore.ts"
import { reportUri } from "../tools/generateReport.ts"

const notFound = (id: string) =>
  new ResourceNotFound({
    uri: reportUri(id),
    message: `Report ${id} does not exist. generate_report makes reports; its answer links to report://{id}.`
  })

export const reportResource = Resource.template("report://{id}", {
  name: "report",
  title: "Ticket report",
  description: "A ticket report generate_report made, in its format (Markdown, CSV or JSON).",
  errors: [ResourceNotFound],
  read: ({ id }, context) =>
    Effect.flatMap(ReportStore, (store) => store.find(context.call.tenantId, id ?? "")).pipe(
      Effect.orDie,
      Effect.flatMap((report) =>
        report === undefined
          ? Effect.fail(notFound(id ?? ""))
          : Effect.succeed({ text: report.body, mimeType: mimeTypes[report.format] })
      )
    ),
  list: (context) =>
    Effect.flatMap(ReportStore, (store) => store.latest(context.call.tenantId, 20)).pipe(
      Effect.map((reports) =>
        reports.map((report) => ({
          uri: reportUri(report.id),
          name: `Ticket report ${report.from} – ${report.to}`,
          description: `${report.format}, generated ${report.createdAt}`,
          mimeType: mimeTypes[report.format]
        }))
      )
    )
})
