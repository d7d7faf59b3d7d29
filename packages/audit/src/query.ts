/**
 * The admin query over the audit log: newest first, filtered, paged by an opaque cursor.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import { type AuditOutcome, isOutcome, type StoredAuditRecord } from "./AuditRecord.ts"
import { type AuditRow, columns, fromRow } from "./AuditTable.ts"
import { AuditQueryInvalid } from "./Errors.ts"

/** The largest page a query returns. */
export const maxLimit = 1000

/** What to look for. Every filter is optional and they combine with AND. */
export interface AuditQuery {
  readonly tenantId?: string
  /** A tool or prompt name, or a resource URI. */
  readonly tool?: string
  readonly outcome?: AuditOutcome
  /** Requests that started at or after this time. */
  readonly from?: Date
  /** Requests that started before this time. */
  readonly to?: Date
  /** Records per page, 1 to {@link maxLimit}. */
  readonly limit: number
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string
}

/** One page, newest first; `nextCursor` is null on the last page. */
export interface AuditPage {
  readonly records: ReadonlyArray<StoredAuditRecord>
  readonly nextCursor: string | null
}

const invalid = (message: string) => Effect.fail(new AuditQueryInvalid({ message }))

const encodeCursor = (id: number): string => Buffer.from(`audit:${id}`).toString("base64url")

const decodeCursor = (cursor: string): number | undefined => {
  const match = /^audit:([1-9][0-9]{0,15})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"))
  return match?.[1] === undefined ? undefined : Number(match[1])
}

const validDate = (date: Date | undefined): boolean => date === undefined || Number.isFinite(date.getTime())

/** Finds records matching `query`, newest first. */
export const query = (query: AuditQuery): Effect.Effect<AuditPage, AuditQueryInvalid | SqlError, SqlClient> =>
  Effect.gen(function* () {
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > maxLimit) {
      return yield* invalid(`limit must be a whole number from 1 to ${maxLimit}, got ${query.limit}`)
    }
    if (query.outcome !== undefined && !isOutcome(query.outcome)) {
      return yield* invalid(`outcome must be one of the audit outcomes, got ${String(query.outcome)}`)
    }
    if (!validDate(query.from) || !validDate(query.to)) return yield* invalid("from and to must be valid dates")
    const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
    if (query.cursor !== undefined && before === undefined) {
      return yield* invalid("cursor is not one this query returned; start again without it")
    }
    const sql = yield* SqlClient
    const where = [
      sql`TRUE`,
      ...(query.tenantId === undefined ? [] : [sql`tenant_id = ${query.tenantId}`]),
      ...(query.tool === undefined ? [] : [sql`target = ${query.tool}`]),
      ...(query.outcome === undefined ? [] : [sql`outcome = ${query.outcome}`]),
      ...(query.from === undefined ? [] : [sql`time >= ${query.from}`]),
      ...(query.to === undefined ? [] : [sql`time < ${query.to}`]),
      ...(before === undefined ? [] : [sql`id < ${before}`])
    ]
    const rows = yield* sql<AuditRow>`SELECT ${sql.literal(columns)} FROM audit_log WHERE ${sql.and(where)}
      ORDER BY id DESC LIMIT ${query.limit + 1}`
    const records = rows.slice(0, query.limit).map(fromRow)
    const last = records.at(-1)
    return { records, nextCursor: rows.length > query.limit && last !== undefined ? encodeCursor(last.id) : null }
  })
