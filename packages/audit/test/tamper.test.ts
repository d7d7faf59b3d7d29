/**
 * The table refuses changes, and changes made anyway (by a superuser who disabled the trigger) are found by
 * `verifyChain` at the right record.
 */
import { AuditLog, Chain, verifyChain } from "@bulwark/audit"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer, Logger } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { type AuditRow, columns, fromRow } from "../src/AuditTable.ts"
import { describeError } from "../src/internal/describeError.ts"
import { auditInstance } from "./support/AuditDatabase.ts"
import { sampleRecord } from "./support/records.ts"
import { TestDatabase } from "./support/TestDatabase.ts"

const Live = Layer.unwrap(
  Effect.gen(function* () {
    const { url } = yield* TestDatabase
    return auditInstance(url, { flushInterval: "10 millis", batchSize: 3 })
  })
).pipe(Layer.provideMerge(TestDatabase.layer("tamper")), Layer.provideMerge(Logger.layer([])))

const asSuperuser = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient
    yield* sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`
    const result = yield* effect
    yield* sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`
    return result
  })

const rowById = (id: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient
    const rows = yield* sql<AuditRow>`SELECT ${sql.literal(columns)} FROM audit_log WHERE id = ${id}`
    return fromRow(rows[0]!)
  })

layer(Live, { excludeTestServices: true })("tampering", (it) => {
  it.effect("is refused by the table's triggers", () =>
    Effect.gen(function* () {
      const log = yield* AuditLog
      const sql = yield* SqlClient
      for (let n = 1; n <= 10; n++) yield* log.record(sampleRecord(n))
      yield* log.flush
      expect(yield* verifyChain()).toMatchObject({ ok: true, checked: 10, head: { id: 10 } })

      const update = yield* Effect.flip(sql`UPDATE audit_log SET outcome = 'success' WHERE id = 2`)
      expect(describeError(update)).toContain("append-only")
      const remove = yield* Effect.flip(sql`DELETE FROM audit_log WHERE id = 2`)
      expect(describeError(remove)).toContain("append-only")
      const truncate = yield* Effect.flip(sql`TRUNCATE audit_log`)
      expect(describeError(truncate)).toContain("append-only")
      expect(yield* verifyChain()).toMatchObject({ ok: true, checked: 10 })
    })
  )

  it.effect("is detected at the changed record, then at the next link when the hash is forged too", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const original = yield* rowById(4)
      yield* asSuperuser(sql`UPDATE audit_log SET arguments = '{"title":"forged"}' WHERE id = 4`)
      expect(yield* verifyChain()).toMatchObject({ ok: false, brokenAt: 4, reason: "hash_mismatch", checked: 3 })

      // Whoever also recomputes record 4's hash breaks the link from record 5.
      const forged = yield* rowById(4)
      const forgedHash = Chain.hashRecord(forged.prevHash, 4, forged)
      yield* asSuperuser(sql`UPDATE audit_log SET hash = ${forgedHash} WHERE id = 4`)
      expect(yield* verifyChain()).toMatchObject({ ok: false, brokenAt: 5, reason: "missing_link" })

      // Put it back: the chain verifies again, so the verdict was about that change only.
      yield* asSuperuser(
        sql`UPDATE audit_log SET arguments = ${JSON.stringify(original.arguments)}::jsonb, hash = ${original.hash} WHERE id = 4`
      )
      expect(yield* verifyChain()).toMatchObject({ ok: true, checked: 10 })
    })
  )

  it.effect("is detected where a record was removed, and from a later starting point", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient
      yield* asSuperuser(sql`DELETE FROM audit_log WHERE id = 7`)
      const report = yield* verifyChain({ pageSize: 2 })
      expect(report).toMatchObject({ ok: false, brokenAt: 8, reason: "missing_link", checked: 6 })
      expect(report.ok ? "" : report.message).toContain("Records 7 to 7 are missing")
      expect(yield* verifyChain({ fromId: 8 })).toMatchObject({ ok: false, brokenAt: 7, reason: "missing_link" })
      expect(yield* verifyChain({ fromId: 9 })).toMatchObject({ ok: true, checked: 2, head: { id: 10 } })
    })
  )
})
