/**
 * Rows of the audit table: appending a batch to the chain, and reading rows back as records.
 *
 * @since 0.1.0
 */

import { isoTime } from "@bulwark/observability"
import type { PgClient } from "@effect/sql-pg"
import { Effect } from "effect"
import type { SqlError } from "effect/sql/SqlError"
import type { AuditOutcome, AuditRecord, JsonValue, StoredAuditRecord } from "./AuditRecord.ts"
import { canonicalJson } from "./CanonicalJson.ts"
import { GENESIS, hashedText, hashRecord } from "./Chain.ts"
import type { StorableRecord } from "./normalize.ts"

/** The advisory lock every writer holds while appending ("Audi" in ASCII; distinct from the migrations' key). */
export const chainLockKey = 0x41756469

/** A row as `@effect/sql-pg` returns it. */
export interface AuditRow {
  readonly id: bigint | number
  readonly time: Date
  readonly tenant_id: string | null
  readonly principal_subject: string | null
  readonly principal_method: string | null
  readonly method: string | null
  readonly target: string | null
  readonly arguments: JsonValue | undefined
  readonly outcome: string
  readonly rejected_by: string | null
  readonly error_code: number | null
  readonly reason: string | null
  readonly duration_ms: number
  readonly request_id: string
  readonly trace_id: string | null
  readonly prev_hash: string
  readonly hash: string
}

/** Each column of a row, in table order, with the type of the array it is sent in (see {@link appendBatch}). */
const columnTypes: ReadonlyArray<readonly [name: string, type: string]> = [
  ["id", "bigint"],
  ["time", "timestamptz"],
  ["tenant_id", "text"],
  ["principal_subject", "text"],
  ["principal_method", "text"],
  ["method", "text"],
  ["target", "text"],
  ["arguments", "jsonb"],
  ["outcome", "text"],
  ["rejected_by", "text"],
  ["error_code", "integer"],
  ["reason", "text"],
  ["duration_ms", "float8"],
  ["request_id", "text"],
  ["trace_id", "text"],
  ["prev_hash", "text"],
  ["hash", "text"]
]

/** The columns of a row, in table order. */
export const columns = columnTypes.map(([name]) => name).join(", ")

/** Reads a row back as the record it stores. */
export const fromRow = (row: AuditRow): StoredAuditRecord => ({
  id: Number(row.id),
  time: row.time,
  tenantId: row.tenant_id,
  principal:
    row.principal_subject === null && row.principal_method === null
      ? null
      : { subject: row.principal_subject, method: row.principal_method },
  method: row.method,
  target: row.target,
  arguments: row.arguments ?? null,
  // The CHECK constraint admits only outcomes; an altered row still fails its hash, whatever it holds.
  outcome: row.outcome as AuditOutcome,
  rejectedBy: row.rejected_by,
  errorCode: row.error_code,
  reason: row.reason,
  durationMs: row.duration_ms,
  requestId: row.request_id,
  traceId: row.trace_id,
  prevHash: row.prev_hash,
  hash: row.hash
})

/** The batch's rows: a column per array parameter, made rows again by `unnest`. */
const unnestRows = `SELECT * FROM unnest(${columnTypes.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ")})`

/** One statement for batches of any size. */
const insertRows = `INSERT INTO audit_log (${columns}) ${unnestRows}`

/**
 * The same, taking the chain's advisory lock first, in the statement's own transaction (the lock's subquery runs once,
 * before the first row), so that it never runs between a locked writer's read of the chain's end and its insert.
 */
const insertRowsLocked =
  `WITH chain_lock AS (SELECT pg_advisory_xact_lock(${chainLockKey})) ` +
  `INSERT INTO audit_log (${columns}) ${unnestRows} WHERE EXISTS (SELECT FROM chain_lock)`

/** The canonical text of a record's arguments: made when it was normalized, else now. */
const argumentsJsonOf = (record: AuditRecord | StorableRecord): string =>
  "argumentsJson" in record ? record.argumentsJson : canonicalJson(record.arguments ?? null)

/** The elements of a batch's array literals, a list per column in table order (see {@link columnLiterals}). */
type Columns = ReadonlyArray<Array<string>>

const needsEscape = /["\\]/

/** One element of a PostgreSQL array literal of text: quoted, `"` and `\` escaped (most text has neither), or `NULL`. */
const arrayElement = (value: string | null): string =>
  value === null
    ? "NULL"
    : needsEscape.test(value)
      ? `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`
      : `"${value}"`

/**
 * Puts a row's values, as array elements, at the end of each column's list (`null` is SQL NULL). The id, the time,
 * the numbers and the hashes are digits, ISO 8601 text and hex: bare elements, neither quoted nor checked.
 */
const putRow = (
  columns: Columns,
  id: number,
  prevHash: string,
  hash: string,
  record: AuditRecord,
  argumentsJson: string
): void => {
  const column = (index: number) => columns[index] as Array<string>
  column(0).push(String(id))
  column(1).push(isoTime(record.time.getTime()))
  column(2).push(arrayElement(record.tenantId))
  column(3).push(arrayElement(record.principal?.subject ?? null))
  column(4).push(arrayElement(record.principal?.method ?? null))
  column(5).push(arrayElement(record.method))
  column(6).push(arrayElement(record.target))
  column(7).push(record.arguments === null ? "NULL" : arrayElement(argumentsJson))
  column(8).push(arrayElement(record.outcome))
  column(9).push(arrayElement(record.rejectedBy))
  column(10).push(record.errorCode === null ? "NULL" : String(record.errorCode))
  column(11).push(arrayElement(record.reason))
  column(12).push(String(record.durationMs))
  column(13).push(arrayElement(record.requestId))
  column(14).push(arrayElement(record.traceId))
  column(15).push(prevHash)
  column(16).push(hash)
}

/**
 * The batch as PostgreSQL array literals of text, one per column, each joined once from its elements. Written here
 * because the client's array codec must infer an element type, and cannot for a column that is all nulls.
 */
const columnLiterals = (columns: Columns): Array<string> => columns.map((elements) => `{${elements.join(",")}}`)

// Identity of a record apart from its place in the chain.
const fingerprint = (record: AuditRecord | StorableRecord): string => hashedText(0, record, argumentsJsonOf(record))

/**
 * Records of `records` that are already stored: an earlier attempt whose COMMIT succeeded although the client saw an
 * error. Matched by request id and every stored field, so distinct records are never taken for one another.
 */
const alreadyStored = <R extends AuditRecord>(sql: PgClient.PgClient, records: ReadonlyArray<R>) =>
  Effect.map(
    sql<AuditRow>`SELECT ${sql.literal(columns)} FROM audit_log WHERE ${sql.in(
      "request_id",
      records.map((record) => record.requestId)
    )}`,
    (rows) => {
      const stored = new Map<string, number>()
      for (const row of rows) {
        const key = fingerprint(fromRow(row))
        stored.set(key, (stored.get(key) ?? 0) + 1)
      }
      return records.filter((record) => {
        const key = fingerprint(record)
        const left = stored.get(key) ?? 0
        if (left === 0) return true
        stored.set(key, left - 1)
        return false
      })
    }
  )

/** The chain's last row as a writer knows it: what the next row links to. */
export interface ChainTail {
  readonly id: number
  readonly hash: string
}

/** What an append did: the rows it inserted, and the chain's tail after them (undefined when it inserted none). */
export interface Appended {
  readonly inserted: number
  readonly tail: ChainTail | undefined
}

/** The batch linked after `tail`, as one statement's parameters, and the chain's tail after it. */
const linked = (tail: ChainTail, records: ReadonlyArray<AuditRecord | StorableRecord>) => {
  let prevHash = tail.hash
  let id = tail.id
  const columns: Columns = columnTypes.map(() => [])
  for (const record of records) {
    id += 1
    const argumentsJson = argumentsJsonOf(record)
    const hash = hashRecord(prevHash, id, record, argumentsJson)
    putRow(columns, id, prevHash, hash, record, argumentsJson)
    prevHash = hash
  }
  return { parameters: columnLiterals(columns), tail: { id, hash: prevHash } }
}

/**
 * Appends `records` to the chain in one transaction: takes the chain's advisory lock (so writers on any number of
 * instances queue up), reads the last id and hash, and inserts the batch linked to it. With `afterFailure`, records
 * an earlier attempt already committed are left out.
 *
 * The rows go in one statement whatever the batch's size, a text array per column (`unnest` makes them rows again):
 * PostgreSQL prepares it once. A multi-row `VALUES` of 17 parameters a row was a new statement for every batch size
 * to parse and plan: 26-38 µs of PostgreSQL's CPU a row where this costs 19.5-21 (`pnpm bench:audit`).
 */
export const appendBatch = (
  sql: PgClient.PgClient,
  records: ReadonlyArray<AuditRecord | StorableRecord>,
  afterFailure: boolean
): Effect.Effect<Appended, SqlError> =>
  sql.withTransaction(
    Effect.gen(function* () {
      yield* sql`SELECT pg_advisory_xact_lock(${sql.literal(String(chainLockKey))})`
      const pending = afterFailure && records.length > 0 ? yield* alreadyStored(sql, records) : records
      if (pending.length === 0) return { inserted: 0, tail: undefined }
      const last = yield* sql<{
        id: bigint | number
        hash: string
      }>`SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`
      const batch = linked({ id: Number(last[0]?.id ?? 0), hash: last[0]?.hash ?? GENESIS }, pending)
      yield* sql.unsafe(insertRows, batch.parameters)
      return { inserted: pending.length, tail: batch.tail }
    })
  )

/**
 * Appends `records` right after `tail`, the last row this writer appended, in one statement and one round trip (the
 * chain's lock taken in it, no read of the chain's end). The ids decide: if any writer (another instance) appended
 * since, the batch's first id is taken, the statement fails with a unique violation and inserts nothing, and the
 * writer appends with a read under the lock instead ({@link appendBatch}). Two writers never link a row to the same
 * predecessor, and a locked writer never sees its batch refused: its read and its insert hold the lock between them.
 *
 * Under load the locked append's five round trips (BEGIN, lock, read, insert, COMMIT), each waiting for a turn of a
 * busy event loop and for PostgreSQL to be scheduled beside the server, made the writer slower than the requests it
 * audits: the buffer filled and back-pressure held admitted requests (`bench/README.md`).
 */
export const appendAfter = (
  sql: PgClient.PgClient,
  tail: ChainTail,
  records: ReadonlyArray<AuditRecord | StorableRecord>
): Effect.Effect<Appended, SqlError> =>
  Effect.suspend(() => {
    const batch = linked(tail, records)
    return Effect.as(sql.unsafe(insertRowsLocked, batch.parameters), { inserted: records.length, tail: batch.tail })
  })

/** Whether an append failed because the ids it took were taken: another writer appended first. */
export const isChainMoved = (error: SqlError): boolean => error.reason._tag === "UniqueViolation"
