/**
 * Generated reports, kept in PostgreSQL (`reports`, migrations of owner `"reports"`) for the `report://{id}`
 * resource: one row per report, keyed on its tenant and id (the job's id when it ran as a job), so a run repeated
 * after a crash stores it once.
 */
import { type Migration, Migrations } from "@bulwark/database"
import { Context, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import type { Format } from "../analytics/Period.ts"

/** The migration owner name. */
export const owner = "reports"

/** The migrations. */
export const migrations: ReadonlyArray<Migration> = [
  {
    id: "0001",
    name: "create reports",
    up: `CREATE TABLE reports (
      tenant_id text NOT NULL,
      id text NOT NULL,
      format text NOT NULL CHECK (format IN ('markdown', 'csv', 'json')),
      period_from date NOT NULL,
      period_to date NOT NULL,
      body text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id)
    )`
  }
]

/** A stored report. */
export interface StoredReport {
  readonly id: string
  readonly format: Format
  readonly from: string
  readonly to: string
  readonly body: string
  readonly createdAt: string
}

/** Generated reports. */
export class ReportStore extends Context.Service<
  ReportStore,
  {
    /** Keeps a report (a second save of the same id keeps the first). */
    readonly save: (tenantId: string, report: Omit<StoredReport, "createdAt">) => Effect.Effect<void, SqlError>
    readonly find: (tenantId: string, id: string) => Effect.Effect<StoredReport | undefined, SqlError>
    /** The tenant's newest reports. */
    readonly latest: (tenantId: string, limit: number) => Effect.Effect<ReadonlyArray<StoredReport>, SqlError>
  }
>()("@bulwark/plugin-reports/ReportStore") {}

interface Row {
  readonly id: string
  readonly format: Format
  readonly period_from: string
  readonly period_to: string
  readonly body: string
  readonly created_at: Date | string
}

const fromRow = (row: Row): StoredReport => ({
  id: row.id,
  format: row.format,
  from: String(row.period_from).slice(0, 10),
  to: String(row.period_to).slice(0, 10),
  body: row.body,
  createdAt: new Date(row.created_at).toISOString()
})

/** The store on the app's `SqlClient`, its table migrated. */
export const layer = Layer.effect(
  ReportStore,
  Effect.map(SqlClient, (sql) =>
    ReportStore.of({
      save: (tenantId, report) =>
        sql`
          INSERT INTO reports (tenant_id, id, format, period_from, period_to, body)
          VALUES (${tenantId}, ${report.id}, ${report.format}, ${report.from}, ${report.to}, ${report.body})
          ON CONFLICT (tenant_id, id) DO NOTHING`.pipe(Effect.asVoid),
      find: (tenantId, id) =>
        sql<Row>`
          SELECT id, format, period_from::text, period_to::text, body, created_at FROM reports
          WHERE tenant_id = ${tenantId} AND id = ${id}`.pipe(
          Effect.map((rows) => (rows[0] === undefined ? undefined : fromRow(rows[0])))
        ),
      latest: (tenantId, limit) =>
        sql<Row>`
          SELECT id, format, period_from::text, period_to::text, '' AS body, created_at FROM reports
          WHERE tenant_id = ${tenantId} ORDER BY created_at DESC LIMIT ${limit}`.pipe(
          Effect.map((rows) => rows.map(fromRow))
        )
    })
  )
).pipe(Layer.provide(Migrations.layer(owner, migrations)))
