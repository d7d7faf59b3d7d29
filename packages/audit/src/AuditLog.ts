/**
 * The audit log: takes records off the request path into a bounded in-memory buffer and writes them to PostgreSQL
 * in batches from one background fiber, each batch appended to the hash chain.
 *
 * Nothing is dropped: a full buffer makes `record` wait, a failing database is retried with backoff for as long as
 * it takes, and releasing the layer writes what is left (within `shutdownTimeout`).
 *
 * @since 0.1.0
 */
import { type MigrationError, type MigrationRegistry, Migrations } from "@bulwark/database"
import { PgClient } from "@effect/sql-pg"
import {
  Cause,
  Context,
  Deferred,
  Duration,
  Effect,
  Exit,
  Fiber,
  Layer,
  Metric,
  Option,
  Queue,
  Schedule,
  type Scope
} from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import { type AuditConfig, defaultAuditConfig } from "./AuditConfig.ts"
import * as AuditMetrics from "./AuditMetrics.ts"
import { type AuditRecord, toJson } from "./AuditRecord.ts"
import { type Appended, appendAfter, appendBatch, type ChainTail, isChainMoved } from "./AuditTable.ts"
import { describeError } from "./internal/describeError.ts"
import { auditMigrations, owner } from "./migrations.ts"
import { normalizeRecord, type StorableRecord } from "./normalize.ts"

/** What the audit log offers the request path. */
export interface AuditLogShape {
  /**
   * Hands one record over: normalizes it (see `normalize.ts`) and puts it in the buffer. Returns at once while the
   * buffer has room and waits while it is full (back-pressure); never fails. After the layer is released the record is only
   * logged, at error level. Interrupting the wait abandons the record: call it where interruption cannot reach
   * (the audit stage calls it from a finalizer).
   */
  readonly record: (record: AuditRecord) => Effect.Effect<void>
  /**
   * `record` for an observer's end of a request (see core's `Stage.observer`), in the fiber given: while the buffer
   * has room the record is in it when this returns, and there is nothing to wait for (undefined); otherwise the
   * effect that waits for room (or logs the record, once the log is closed).
   */
  readonly handOver: (record: AuditRecord, fiber: Fiber.Fiber<unknown, unknown>) => Effect.Effect<void> | undefined
  /** Waits until every record handed over before this call is written to PostgreSQL. */
  readonly flush: Effect.Effect<void>
  /** Records handed over and not yet written (also the `bulwark_audit_backlog` gauge). */
  readonly backlog: Effect.Effect<number>
}

// A record that will not reach the database goes to the log instead, whole, at error level: nothing is lost. Records
// that do reach it are not logged (they carry arguments, which may hold personal data).
const logUnwritten = (records: ReadonlyArray<AuditRecord>, why: string) =>
  Effect.forEach(
    records,
    (record) =>
      Effect.logError(`audit record not written: ${why}`).pipe(Effect.annotateLogs({ audit: toJson(record) })),
    { discard: true }
  )

/**
 * Starts the audit log on the `PgClient` in context (the audit table must exist: `AuditLog.layer` applies its
 * migrations first). The writer fiber lives in the current scope; closing the scope writes the backlog first.
 */
export const make = (
  config: AuditConfig = defaultAuditConfig
): Effect.Effect<AuditLogShape, never, PgClient.PgClient | Scope.Scope> =>
  Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    // The counters exist from the start (at zero), so that alerts on their rates see them.
    yield* Metric.update(AuditMetrics.recordsWritten, 0)
    yield* Metric.update(AuditMetrics.writeFailures, 0)
    const queue = yield* Queue.unbounded<StorableRecord, Cause.Done>()
    const closing = yield* Deferred.make<void>()
    let closed = false
    let accepted = 0
    let written = 0
    let waiters: Array<{ readonly target: number; readonly done: Deferred.Deferred<void> }> = []
    // Records waiting for room in the buffer (`capacity` records accepted and not written): woken when a batch is
    // written or the log closes, each checks again.
    let waitingForRoom: Array<Deferred.Deferred<void>> = []

    const wakeWaitingForRoom = () => {
      const woken = waitingForRoom
      waitingForRoom = []
      for (const room of woken) Deferred.doneUnsafe(room, Exit.void)
    }

    const wakeWaiters = (all: boolean) =>
      Effect.suspend(() => {
        const ready = waiters.filter((waiter) => all || waiter.target <= written)
        waiters = waiters.filter((waiter) => !ready.includes(waiter))
        return Effect.forEach(ready, (waiter) => Deferred.succeed(waiter.done, undefined), { discard: true })
      })

    const settle = (count: number) =>
      Effect.suspend(() => {
        written += count
        wakeWaitingForRoom()
        return Effect.all([Metric.modify(AuditMetrics.backlog, -count), wakeWaiters(false)])
      })

    const retryPolicy = Schedule.min([
      Schedule.exponential(config.retryBaseDelay),
      Schedule.spaced(config.retryMaxDelay)
    ]).pipe(Schedule.jittered)

    // The chain's last row as this writer appended it: the next batch goes right after it in one statement; unknown
    // at first, after a failure, and after another writer appended first (then the batch goes under the lock).
    let tail: ChainTail | undefined
    const append = (batch: ReadonlyArray<StorableRecord>, afterFailure: boolean): Effect.Effect<Appended, SqlError> =>
      Effect.tap(
        afterFailure || tail === undefined
          ? appendBatch(sql, batch, afterFailure)
          : Effect.catchIf(appendAfter(sql, tail, batch), isChainMoved, () => appendBatch(sql, batch, false)),
        (appended) =>
          Effect.sync(() => {
            if (appended.tail !== undefined) tail = appended.tail
          })
      )

    const write = (batch: ReadonlyArray<StorableRecord>) => {
      let failed = false
      return Effect.suspend(() => append(batch, failed)).pipe(
        Effect.timeout(config.writeTimeout),
        Effect.catchDefect((defect) => Effect.fail(defect)),
        Effect.tapError((error) => {
          failed = true
          tail = undefined
          return Effect.andThen(
            Metric.update(AuditMetrics.writeFailures, 1),
            Effect.logWarning("audit batch write failed; retrying with backoff").pipe(
              Effect.annotateLogs({ records: batch.length, backlog: accepted - written, error: describeError(error) })
            )
          )
        }),
        Effect.retry(retryPolicy),
        Effect.flatMap((appended) => Metric.update(AuditMetrics.recordsWritten, appended.inserted)),
        Effect.andThen(settle(batch.length)),
        Effect.onInterrupt(() => logUnwritten(batch, "the audit log closed before the database took it"))
      )
    }

    const notDone = <A>(effect: Effect.Effect<ReadonlyArray<A>, Cause.Done>) =>
      Effect.catchIf(effect, Cause.isDone, () => Effect.succeed<ReadonlyArray<A>>([]))

    // A batch: what is waiting (at least one record), topped up once after `flushInterval` unless already full.
    const nextBatch = Effect.gen(function* () {
      const first = yield* Queue.takeBetween(queue, 1, config.batchSize)
      if (first.length >= config.batchSize) return first
      yield* Effect.raceFirst(Effect.sleep(config.flushInterval), Deferred.await(closing))
      const more = yield* notDone(Queue.takeBetween(queue, 0, config.batchSize - first.length))
      return [...first, ...more]
    })

    const writer = yield* Effect.forever(Effect.flatMap(nextBatch, write)).pipe(
      Effect.catchIf(Cause.isDone, () => Effect.void),
      Effect.forkScoped
    )

    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        closed = true
        yield* Deferred.succeed(closing, undefined)
        yield* Queue.end(queue)
        const finished = yield* Effect.timeoutOption(Fiber.await(writer), config.shutdownTimeout)
        if (Option.isNone(finished)) {
          yield* Effect.logError(
            `audit log closed with ${accepted - written} records not written to the database within ${Duration.format(config.shutdownTimeout)}; each follows in this log as an "audit record not written" line`
          )
          yield* Fiber.interrupt(writer)
          yield* logUnwritten(yield* Queue.clear(queue), "the audit log closed before the database took it")
        }
        yield* wakeWaiters(true)
        wakeWaitingForRoom()
      })
    )

    // Puts a normalized record in the buffer if there is room, at once (undefined); else the effect that waits for
    // room (back-pressure).
    const admit = (entry: StorableRecord, fiber: Fiber.Fiber<unknown, unknown>): Effect.Effect<void> | undefined => {
      if (closed) return logUnwritten([entry], "the audit log is closed")
      if (accepted - written >= config.capacity) {
        const room = Deferred.makeUnsafe<void>()
        waitingForRoom.push(room)
        return Effect.andThen(
          Deferred.await(room),
          Effect.withFiber((again) => admit(entry, again) ?? Effect.void)
        )
      }
      if (!Queue.offerUnsafe(queue, entry)) return logUnwritten([entry], "the audit log closed")
      accepted += 1
      AuditMetrics.backlog.modifyUnsafe(1, fiber.context)
      return undefined
    }

    // Runs for every request: while the buffer has room, nothing to wait for and no allocation besides the record.
    const handOver = (input: AuditRecord, fiber: Fiber.Fiber<unknown, unknown>): Effect.Effect<void> | undefined =>
      admit(normalizeRecord(input, config.maxArgumentBytes), fiber)

    const record = (input: AuditRecord): Effect.Effect<void> =>
      Effect.withFiber((fiber) => handOver(input, fiber) ?? Effect.void)

    const flush: Effect.Effect<void> = Effect.suspend(() => {
      if (written >= accepted || closed) return Effect.void
      const done = Deferred.makeUnsafe<void>()
      waiters.push({ target: accepted, done })
      return Deferred.await(done)
    })

    return { record, handOver, flush, backlog: Effect.sync(() => accepted - written) }
  })

/** The audit log of this process. */
export class AuditLog extends Context.Service<AuditLog, AuditLogShape>()("@bulwark/audit/AuditLog") {
  /**
   * Provides the audit log: registers and applies the "audit" migrations, then starts the writer. Needs the app's
   * database (`Database.layer`, which gives both `PgClient` and `SqlClient`) and its `MigrationRegistry`.
   */
  static readonly layer = (
    config: AuditConfig = defaultAuditConfig
  ): Layer.Layer<AuditLog, MigrationError, PgClient.PgClient | SqlClient | MigrationRegistry> =>
    Layer.effect(AuditLog, make(config)).pipe(Layer.provide(Migrations.layer(owner, auditMigrations)))
}
