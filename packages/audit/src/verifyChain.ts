/**
 * Recomputes the hash chain from the stored rows and reports the first record where it breaks.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import { type AuditRow, columns, fromRow } from "./AuditTable.ts"
import { GENESIS, hashRecord } from "./Chain.ts"

/** Where to start and how many rows to read at a time. */
export interface VerifyOptions {
  /** Start at this id, trusting the stored hash of the record before it (default 1: the whole chain). */
  readonly fromId?: number
  /** Rows read per query (default 1000). */
  readonly pageSize?: number
}

/**
 * `hash_mismatch`: the record's content no longer gives its stored hash (it was changed). `missing_link`: the record
 * does not follow the one before it (a record was removed or inserted, or a `prev_hash` was altered).
 */
export type ChainBreak = "hash_mismatch" | "missing_link"

/** The verdict: ok with the last record (to anchor elsewhere), or the first broken record and why. */
export type ChainReport =
  | {
      readonly ok: true
      /** Records checked. */
      readonly checked: number
      /** The last record's id and hash; null for an empty log. */
      readonly head: { readonly id: number; readonly hash: string } | null
    }
  | {
      readonly ok: false
      /** Records found intact before the break. */
      readonly checked: number
      readonly brokenAt: number
      readonly reason: ChainBreak
      readonly message: string
    }

/** Walks the chain in id order, page by page, from `fromId` to the newest record. */
export const verifyChain = (options: VerifyOptions = {}): Effect.Effect<ChainReport, SqlError, SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient
    const pageSize = Math.max(1, Math.trunc(options.pageSize ?? 1000))
    let expected = Math.max(1, Math.trunc(options.fromId ?? 1))
    let prev = GENESIS
    if (expected > 1) {
      const anchor = yield* sql<{ hash: string }>`SELECT hash FROM audit_log WHERE id = ${expected - 1}`
      const hash = anchor[0]?.hash
      if (hash === undefined) {
        return {
          ok: false,
          checked: 0,
          brokenAt: expected - 1,
          reason: "missing_link",
          message: `Record ${expected - 1}, the anchor before ${expected}, is missing.`
        } as const
      }
      prev = hash
    }
    let checked = 0
    let head: { readonly id: number; readonly hash: string } | null = null
    while (true) {
      const rows = yield* sql<AuditRow>`SELECT ${sql.literal(columns)} FROM audit_log WHERE id >= ${expected}
        ORDER BY id LIMIT ${pageSize}`
      for (const row of rows) {
        const record = fromRow(row)
        const broken = (reason: ChainBreak, message: string) =>
          ({ ok: false, checked, brokenAt: record.id, reason, message }) as const
        if (record.id !== expected) {
          return broken(
            "missing_link",
            `Records ${expected} to ${record.id - 1} are missing before record ${record.id}.`
          )
        }
        if (record.prevHash !== prev) {
          return broken(
            "missing_link",
            `Record ${record.id} does not link to the record before it: its prev_hash is not that record's hash.`
          )
        }
        if (hashRecord(prev, record.id, record) !== record.hash) {
          return broken("hash_mismatch", `Record ${record.id} was changed: its content does not give its hash.`)
        }
        prev = record.hash
        head = { id: record.id, hash: record.hash }
        expected += 1
        checked += 1
      }
      if (rows.length < pageSize) return { ok: true, checked, head } as const
    }
  })
