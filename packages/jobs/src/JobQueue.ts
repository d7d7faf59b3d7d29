/**
 * How jobs reach workers: Effect's `PersistedQueue` on its SQL store, in the app's database (`bulwark_job_queue`). A
 * submitted job's id is offered in the same transaction that writes its row, so a job exists exactly when it is on
 * the queue. Any instance's worker claims it (`SELECT ... FOR UPDATE SKIP LOCKED`); a claim whose worker stops
 * renewing it (the process died, the connection was lost) runs out after the lease and the job is delivered again
 * elsewhere; a failed run is delivered again after a backoff. Delivery is at least once: the jobs table, written
 * only by the worker holding the current claim, is what makes a job's result written once.
 *
 * Also the registry of the runs of this instance, so a cancellation that arrives here stops its run at once (one
 * that arrives at another instance is seen at the run's next check).
 *
 * @since 0.1.0
 */
import { Context, Duration, Effect, Layer, Schedule, Schema } from "effect"
import { PersistedQueue } from "effect/persistence"
import type { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import type { JobsConfig } from "./JobsConfig.ts"

/**
 * A queue element: which job. Its queue id is `<job id>:<round>`, so a job that waited for answers is offered again
 * under a new id while a duplicate offer of the same round is dropped.
 */
export const Delivery = Schema.Struct({ jobId: Schema.String })

/** Why a run is stopped from outside. */
export type StopReason = "cancelled"

/** The queue and this instance's runs. */
export interface JobQueueShape {
  readonly queue: PersistedQueue.PersistedQueue<typeof Delivery.Type>
  /** Stops of the runs in this process, by job id. */
  readonly stops: Map<string, (reason: StopReason) => void>
}

/** The queue jobs travel on. */
export class JobQueue extends Context.Service<JobQueue, JobQueueShape>()("@bulwark/jobs/JobQueue") {}

/**
 * Redeliveries: a run that failed, or could not start because its tenant was at its limit, is tried again after 1 s,
 * then up to 5 s (the SQL store counts whole seconds). The queue never gives up by itself: the jobs table counts
 * attempts.
 */
const redelivery = Schedule.min([Schedule.exponential("1 second", 1.5), Schedule.spaced("5 seconds")])

/** The queue on the app's database. */
export const layer = (config: JobsConfig): Layer.Layer<JobQueue, SqlError, SqlClient> =>
  Layer.effect(
    JobQueue,
    Effect.gen(function* () {
      const queue = yield* PersistedQueue.make({
        name: "jobs",
        schema: Delivery,
        maxAttempts: 2_000_000_000,
        retrySchedule: redelivery
      })
      return JobQueue.of({ queue, stops: new Map() })
    })
  ).pipe(
    Layer.provide(PersistedQueue.layer),
    // Deliveries that were settled are removed once their jobs may be forgotten; dead letters after a week.
    Layer.merge(PersistedQueue.layerCleanup({ timeToLive: config.keep, failedTimeToLive: "7 days" })),
    Layer.provide(
      PersistedQueue.layerStoreSql({
        tableName: "bulwark_job_queue",
        pollInterval: config.pollInterval,
        lockExpiration: config.lease,
        lockRefreshInterval: Duration.max(Duration.divideUnsafe(config.lease, 5), Duration.seconds(1))
      })
    )
  )
