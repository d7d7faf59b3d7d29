/**
 * The audit log against a fresh database on the shared PostgreSQL: batching, back-pressure, shutdown, several
 * instances on one chain, values that must survive the round trip, and the admin query.
 */
import {
  AuditLog,
  AuditMetrics,
  type AuditPage,
  type AuditRecord,
  auditRecordToJson,
  query,
  type StoredAuditRecord,
  verifyChain
} from "@bulwark/audit"
import { PgClient } from "@effect/sql-pg"
import { expect, layer } from "@effect/vitest"
import { Context, Effect, Exit, Fiber, Layer, Logger, Metric, Redacted, Scope } from "effect"
import * as Reactivity from "effect/reactivity/Reactivity"
import { appendAfter, appendBatch, chainLockKey, isChainMoved } from "../src/AuditTable.ts"
import { auditInstance } from "./support/AuditDatabase.ts"
import { auditLines, LogCapture } from "./support/LogCapture.ts"
import { sampleRecord } from "./support/records.ts"
import { allRows, rowCount } from "./support/rows.ts"
import { TestDatabase } from "./support/TestDatabase.ts"

const Live = Layer.unwrap(
  Effect.gen(function* () {
    const { url } = yield* TestDatabase
    return auditInstance(url, { flushInterval: "50 millis" })
  })
).pipe(Layer.provideMerge(TestDatabase.layer("log")), Layer.provideMerge(Logger.layer([])))

/** A scope the test closes when it likes; closed with the test at the latest. */
const testScope = Effect.acquireRelease(Scope.make(), (scope) => Scope.close(scope, Exit.void))

/** Builds another audit log instance (its own pool) in a scope the test controls. */
const instance = (settings: Parameters<typeof auditInstance>[1], scope: Scope.Scope) =>
  Effect.gen(function* () {
    const { url } = yield* TestDatabase
    const context = yield* Layer.buildWithScope(auditInstance(url, settings, 2), scope)
    return Context.get(context, AuditLog)
  })

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

layer(Live, { excludeTestServices: true })("audit log", (it) => {
  it.effect("writes many records in few transactions (batches of at most batchSize)", () =>
    Effect.gen(function* () {
      const log = yield* AuditLog
      const started = performance.now()
      yield* Effect.forEach(range(1200), (n) => log.record(sampleRecord(n)), { concurrency: 64, discard: true })
      // The hand-off never waits for the database.
      expect(performance.now() - started).toBeLessThan(1000)
      yield* log.flush
      expect(yield* log.backlog).toBe(0)
      const rows = yield* allRows
      expect(rows).toHaveLength(1200)
      const perTransaction = new Map<string, number>()
      for (const row of rows) perTransaction.set(row.xact, (perTransaction.get(row.xact) ?? 0) + 1)
      expect(perTransaction.size).toBeGreaterThanOrEqual(3)
      expect(perTransaction.size).toBeLessThanOrEqual(8)
      expect(Math.max(...perTransaction.values())).toBeLessThanOrEqual(500)
      expect(yield* verifyChain()).toMatchObject({ ok: true, checked: 1200 })
    })
  )

  it.effect("makes record wait while the buffer is full, and drops nothing", () =>
    Effect.gen(function* () {
      const scope = yield* testScope
      const log = yield* instance({ capacity: 5, batchSize: 2, flushInterval: "5 millis" }, scope)
      const before = yield* rowCount
      // Another instance holds the chain's lock: the writer's transaction waits for it.
      const { url } = yield* TestDatabase
      const holder = yield* PgClient.make({ url: Redacted.make(url), maxConnections: 1 }).pipe(
        Effect.provide(Reactivity.layer)
      )
      yield* holder`SELECT pg_advisory_lock(${holder.literal(String(chainLockKey))})`

      yield* Effect.forEach(range(5), (n) => log.record(sampleRecord(n, { tenantId: "full" })), { discard: true })
      let sixthDone = false
      const sixth = yield* Effect.forkChild(
        log.record(sampleRecord(5, { tenantId: "full" })).pipe(Effect.tap(() => Effect.sync(() => (sixthDone = true))))
      )
      yield* Effect.sleep("300 millis")
      expect(sixthDone).toBe(false)
      expect(yield* log.backlog).toBe(5)
      expect(yield* Metric.value(AuditMetrics.backlog)).toMatchObject({ value: 5 })

      yield* holder`SELECT pg_advisory_unlock(${holder.literal(String(chainLockKey))})`
      yield* Fiber.join(sixth)
      expect(sixthDone).toBe(true)
      yield* log.flush
      expect((yield* rowCount) - before).toBe(6)
      expect(yield* Metric.value(AuditMetrics.backlog)).toMatchObject({ value: 0 })
      yield* Scope.close(scope, Exit.void)
    })
  )

  it.effect("writes the buffer on shutdown, without waiting for the flush interval", () =>
    Effect.gen(function* () {
      const scope = yield* testScope
      const log = yield* instance({ flushInterval: "1 minute" }, scope)
      const before = yield* rowCount
      yield* Effect.forEach(range(20), (n) => log.record(sampleRecord(n, { tenantId: "shutdown" })), { discard: true })
      yield* Effect.sleep("100 millis")
      expect((yield* rowCount) - before).toBeLessThan(20)
      const started = performance.now()
      yield* Scope.close(scope, Exit.void)
      expect(performance.now() - started).toBeLessThan(5000)
      expect((yield* rowCount) - before).toBe(20)
      // After release a record is only logged, never silently queued.
      yield* log.record(sampleRecord(99, { tenantId: "shutdown" }))
      expect((yield* rowCount) - before).toBe(20)
    })
  )

  it.effect("logs, whole and at error level, every record the database did not take before the shutdown timeout", () =>
    Effect.gen(function* () {
      const { lines } = yield* LogCapture
      const scope = yield* testScope
      const log = yield* instance({ batchSize: 3, flushInterval: "5 millis", shutdownTimeout: "300 millis" }, scope)
      const before = yield* rowCount
      // Another instance holds the chain's lock: no batch can be written.
      const { url } = yield* TestDatabase
      const holder = yield* PgClient.make({ url: Redacted.make(url), maxConnections: 1 }).pipe(
        Effect.provide(Reactivity.layer)
      )
      yield* holder`SELECT pg_advisory_lock(${holder.literal(String(chainLockKey))})`
      yield* Effect.forEach(
        range(8),
        (n) => log.record(sampleRecord(n, { tenantId: "stuck", requestId: `stuck-${n}` })),
        {
          discard: true
        }
      )
      yield* Effect.sleep("50 millis")
      yield* Scope.close(scope, Exit.void)
      yield* log.record(sampleRecord(8, { tenantId: "stuck", requestId: "stuck-8" }))
      yield* holder`SELECT pg_advisory_unlock(${holder.literal(String(chainLockKey))})`

      const unwritten = lines.filter(
        (line) => line.level === "Error" && String(line.message).startsWith("audit record not written")
      )
      const ids = auditLines(unwritten).map((record) => record.requestId)
      expect(ids.toSorted()).toEqual(range(9).map((n) => `stuck-${n}`))
      expect(auditLines(unwritten)[0]).toMatchObject({ tenantId: "stuck", outcome: "success" })
      expect(lines.some((line) => String(line.message).includes("8 records not written"))).toBe(true)
      expect((yield* rowCount) - before).toBe(0)
    }).pipe(Effect.provide(LogCapture.layer))
  )

  it.effect("keeps one linear chain when two instances write at the same time", () =>
    Effect.gen(function* () {
      const scope = yield* testScope
      const a = yield* instance({ batchSize: 7, flushInterval: "2 millis" }, scope)
      const b = yield* instance({ batchSize: 7, flushInterval: "2 millis" }, scope)
      const before = yield* rowCount
      const failuresBefore = (yield* Metric.value(AuditMetrics.writeFailures)).count
      const write = (log: typeof a, tenantId: string) =>
        Effect.forEach(range(300), (n) => log.record(sampleRecord(n, { tenantId })), { discard: true, concurrency: 4 })
      yield* Effect.all([write(a, "instance-a"), write(b, "instance-b")], { concurrency: "unbounded" })
      yield* Effect.all([a.flush, b.flush])
      const rows = (yield* allRows).slice(before)
      expect(rows.filter((row) => row.tenant_id === "instance-a")).toHaveLength(300)
      expect(rows.filter((row) => row.tenant_id === "instance-b")).toHaveLength(300)
      // The writers really took turns: the tenants alternate along the chain many times.
      const switches = rows.filter((row, i) => i > 0 && row.tenant_id !== rows[i - 1]?.tenant_id).length
      expect(switches).toBeGreaterThan(5)
      // No write failed: the lock serialized them, and a batch linked after a tail the other instance had moved on from
      // was refused whole by the id's primary key and went in again after a read under the lock.
      expect((yield* Metric.value(AuditMetrics.writeFailures)).count).toBe(failuresBefore)
      expect(yield* verifyChain()).toMatchObject({ ok: true })
      yield* Scope.close(scope, Exit.void)
    })
  )

  it.effect("stores awkward values so that the chain still verifies", () =>
    Effect.gen(function* () {
      const log = yield* AuditLog
      const before = yield* rowCount
      yield* log.record(
        sampleRecord(1, {
          tenantId: "awk\u0000ward",
          target: "lone \ud800 surrogate",
          reason: "emoji 🎉 and \u2028",
          durationMs: 0.1 + 0.2,
          arguments: {
            nul: "a\u0000b",
            "key\u0000": 1,
            big: 1e21,
            tiny: 5e-324,
            negativeZero: -0,
            nested: JSON.parse(`${"[".repeat(40)}1${"]".repeat(40)}`),
            unicode: "Grüße, 世界"
          }
        })
      )
      yield* log.record(sampleRecord(2, { tenantId: "awkward-big", arguments: { blob: "x".repeat(70_000) } }))
      // What an array literal must quote: quotes, backslashes, braces, commas, spaces, the word NULL, nothing at all.
      const literal = ' {"a\\b", NULL} \\" ,'
      yield* log.record(
        sampleRecord(3, {
          tenantId: "NULL",
          target: "",
          reason: literal,
          principal: { subject: literal, method: null },
          arguments: { [literal]: literal, empty: "" }
        })
      )
      yield* log.flush
      const rows = (yield* allRows).slice(before)
      expect(rows[2]).toMatchObject({
        tenant_id: "NULL",
        target: "",
        reason: literal,
        principal_subject: literal,
        principal_method: null,
        arguments: { [literal]: literal, empty: "" }
      })
      expect(rows[0]).toMatchObject({
        tenant_id: "awk\uFFFDward",
        target: "lone \uFFFD surrogate",
        arguments: { nul: "a\uFFFDb", "key\uFFFD": 1, big: 1e21, tiny: 5e-324, negativeZero: 0 }
      })
      expect(JSON.stringify(rows[0]?.arguments)).toContain("[TOO DEEP]")
      expect(rows[1]?.arguments).toEqual({ _truncated: true, bytes: 70_011 })
      expect(yield* verifyChain()).toMatchObject({ ok: true })
    })
  )

  it.effect("keeps the indexes its queries use, and none on the hash", () =>
    Effect.gen(function* () {
      const sql = yield* PgClient.PgClient
      const indexes = yield* sql<{ indexname: string }>`
        SELECT indexname FROM pg_indexes WHERE tablename = 'audit_log' ORDER BY indexname`
      expect(indexes.map((index) => index.indexname)).toEqual([
        "audit_log_pkey",
        "audit_log_request",
        "audit_log_target",
        "audit_log_tenant",
        "audit_log_time"
      ])
    })
  )

  it.effect("leaves out, on a retry, the records an attempt that looked failed did commit", () =>
    Effect.gen(function* () {
      const sql = yield* PgClient.PgClient
      const [a, b, c] = [
        sampleRecord(1, { tenantId: "retry" }),
        sampleRecord(2, { tenantId: "retry" }),
        sampleRecord(3, { tenantId: "retry" })
      ]
      const before = yield* rowCount
      expect((yield* appendBatch(sql, [a, b], false)).inserted).toBe(2)
      // The writer retries the whole batch (plus what joined it) after an error whose COMMIT had in fact succeeded.
      expect((yield* appendBatch(sql, [a, b, c], true)).inserted).toBe(1)
      // A distinct record that merely shares a request id is still written.
      expect((yield* appendBatch(sql, [{ ...a, outcome: "tool_error" }], true)).inserted).toBe(1)
      expect((yield* rowCount) - before).toBe(4)
      expect(yield* verifyChain()).toMatchObject({ ok: true })
    })
  )

  it.effect("appends after the tail it knows in one statement, and refuses the whole batch once the chain moved", () =>
    Effect.gen(function* () {
      const sql = yield* PgClient.PgClient
      const [a, b, c, d] = [1, 2, 3, 4].map((n) => sampleRecord(n, { tenantId: "after" })) as [
        AuditRecord,
        AuditRecord,
        AuditRecord,
        AuditRecord
      ]
      const first = yield* appendBatch(sql, [a], false)
      const tail = first.tail
      if (tail === undefined) return expect.unreachable("the locked append inserted a row")
      // Right after the tail: linked to it, the chain verifies.
      const next = (yield* appendAfter(sql, tail, [b, c])).tail
      expect(next?.id).toBe(tail.id + 2)
      const before = yield* rowCount
      // A writer that still knows the old tail (another instance appended since): nothing of its batch goes in.
      const stale = yield* Effect.flip(appendAfter(sql, tail, [d]))
      expect(isChainMoved(stale)).toBe(true)
      expect(yield* rowCount).toBe(before)
      const [last] = yield* sql<{ hash: string }>`SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1`
      expect(last?.hash).toBe(next?.hash)
      expect(yield* verifyChain()).toMatchObject({ ok: true })
    })
  )

  it.effect("answers admin queries newest first, filtered, a page at a time", () =>
    Effect.gen(function* () {
      const log = yield* AuditLog
      const outcomes = ["success", "rejected", "tool_error", "rejected", "rejected", "success", "rejected"] as const
      yield* Effect.forEach(
        outcomes,
        (outcome, n) =>
          log.record(
            sampleRecord(n, {
              tenantId: "query-t",
              outcome,
              target: n === 6 ? "other_tool" : "create_ticket",
              time: new Date(Date.UTC(2026, 1, 1 + n)),
              ...(outcome === "rejected" ? { rejectedBy: "quota", errorCode: -32029 } : {})
            })
          ),
        { discard: true }
      )
      yield* log.flush

      const seen: Array<StoredAuditRecord> = []
      let cursor: string | null = null
      let pages = 0
      do {
        const page: AuditPage = yield* query({
          tenantId: "query-t",
          outcome: "rejected",
          limit: 2,
          ...(cursor ? { cursor } : {})
        })
        seen.push(...page.records)
        cursor = page.nextCursor
        pages += 1
      } while (cursor !== null)
      expect(pages).toBe(2)
      expect(seen.map((record) => record.time.getUTCDate())).toEqual([7, 5, 4, 2])
      expect(seen.every((record) => record.outcome === "rejected" && record.rejectedBy === "quota")).toBe(true)
      expect(auditRecordToJson(seen[0]!)).toMatchObject({ id: seen[0]!.id, tenantId: "query-t", errorCode: -32029 })

      const tool = yield* query({ tenantId: "query-t", tool: "other_tool", limit: 10 })
      expect(tool.records.map((record) => record.time.getUTCDate())).toEqual([7])
      const window = yield* query({
        tenantId: "query-t",
        from: new Date(Date.UTC(2026, 1, 2)),
        to: new Date(Date.UTC(2026, 1, 4)),
        limit: 10
      })
      expect(window.records.map((record) => record.time.getUTCDate())).toEqual([3, 2])

      const tooMany = yield* Effect.flip(query({ limit: 5000 }))
      expect(tooMany).toMatchObject({ _tag: "AuditQueryInvalid", message: expect.stringContaining("limit") })
      const badCursor = yield* Effect.flip(query({ limit: 5, cursor: "nonsense" }))
      expect(badCursor._tag).toBe("AuditQueryInvalid")
    })
  )
})
