/**
 * A database outage on a PostgreSQL server of the test's own (started with initdb + pg_ctl, stopped mid-test):
 * requests keep completing while the buffer has room, the backlog and failures show in the metrics, a full buffer
 * holds the request back, and once the server is back every record is written and the chain verifies.
 */
import { AuditLog, AuditMetrics, verifyChain } from "@bulwark/audit"
import { DisposablePostgres } from "@bulwark/database/testing"
import { expect, layer } from "@effect/vitest"
import { Effect, Fiber, Layer, Logger, Metric } from "effect"
import { auditInstance } from "./support/AuditDatabase.ts"
import { PipelineWithAudit, request, send } from "./support/demo.ts"
import { allRows } from "./support/rows.ts"

const capacity = 40

const Live = PipelineWithAudit.pipe(
  Layer.provideMerge(
    Layer.unwrap(
      Effect.gen(function* () {
        const { url } = yield* DisposablePostgres
        return auditInstance(
          url,
          {
            capacity,
            batchSize: 10,
            flushInterval: "10 millis",
            retryBaseDelay: "50 millis",
            retryMaxDelay: "300 millis",
            writeTimeout: "2 seconds"
          },
          2
        )
      })
    )
  ),
  Layer.provideMerge(DisposablePostgres.layer),
  Layer.provideMerge(Logger.layer([]))
)

const call = (n: number) => send(request("tools/call", { name: "fail_tool", arguments: { reason: `call ${n}` } }))

const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const started = performance.now()
    yield* effect
    return performance.now() - started
  })

layer(Live, { excludeTestServices: true, timeout: 60_000 })("audit during a database outage", (it) => {
  it.effect("keeps every record through the outage and writes them when the database is back", () =>
    Effect.gen(function* () {
      const log = yield* AuditLog
      const server = yield* DisposablePostgres
      for (let n = 0; n < 5; n++) yield* call(n)
      yield* log.flush
      expect(yield* allRows).toHaveLength(5)

      yield* server.stop
      const failuresBefore = (yield* Metric.value(AuditMetrics.writeFailures)).count
      // Requests still complete at once while the buffer has room.
      for (let n = 5; n < 35; n++) expect(yield* timed(call(n))).toBeLessThan(250)
      yield* Effect.sleep("600 millis")
      expect(yield* log.backlog).toBe(30)
      expect((yield* Metric.value(AuditMetrics.backlog)).value).toBe(30)
      expect((yield* Metric.value(AuditMetrics.writeFailures)).count).toBeGreaterThan(failuresBefore)

      // Fill the buffer; the next request waits for room instead of dropping its record.
      for (let n = 35; n < 45; n++) yield* call(n)
      expect(yield* log.backlog).toBe(capacity)
      let lastDone = false
      const last = yield* Effect.forkChild(call(45).pipe(Effect.tap(() => Effect.sync(() => (lastDone = true)))))
      yield* Effect.sleep("400 millis")
      expect(lastDone).toBe(false)

      yield* server.start
      yield* Fiber.join(last)
      yield* log.flush
      expect(yield* log.backlog).toBe(0)
      expect((yield* Metric.value(AuditMetrics.backlog)).value).toBe(0)
      const rows = yield* allRows
      expect(rows).toHaveLength(46)
      expect(new Set(rows.map((row) => row.request_id)).size).toBe(46)
      const reasons = rows.map((row) => (row.arguments as { reason: string }).reason)
      expect(new Set(reasons)).toEqual(new Set(Array.from({ length: 46 }, (_, n) => `call ${n}`)))
      expect(yield* verifyChain()).toMatchObject({ ok: true, checked: 46 })
    })
  )
})
