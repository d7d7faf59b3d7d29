/** Reading the audit table directly, as an auditor (or an attacker) would. */
import { Effect } from "effect"
import { SqlClient } from "effect/sql/SqlClient"

/** A stored row, with the id of the transaction that inserted it. */
export interface RawRow {
  readonly id: number
  readonly tenant_id: string | null
  readonly principal_subject: string | null
  readonly principal_method: string | null
  readonly method: string | null
  readonly target: string | null
  readonly arguments: unknown
  readonly outcome: string
  readonly rejected_by: string | null
  readonly error_code: number | null
  readonly reason: string | null
  readonly duration_ms: number
  readonly request_id: string
  readonly trace_id: string | null
  readonly xact: string
}

/** Every row, in id order. */
export const allRows = Effect.gen(function* () {
  const sql = yield* SqlClient
  const rows = yield* sql<Omit<RawRow, "id"> & { readonly id: bigint }>`
    SELECT *, xmin::text AS xact FROM audit_log ORDER BY id`
  return rows.map((row): RawRow => ({ ...row, id: Number(row.id) }))
})

/** How many rows there are. */
export const rowCount = Effect.gen(function* () {
  const sql = yield* SqlClient
  const rows = yield* sql<{ readonly n: bigint }>`SELECT count(*) AS n FROM audit_log`
  return Number(rows[0]?.n ?? 0)
})
