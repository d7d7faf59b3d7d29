/**
 * The workers that run jobs, on every instance: each takes a delivery from the queue, claims the job in the jobs
 * table (unless its tenant already runs `perTenant` jobs across all instances: it is delivered again a little
 * later), and runs it with the `JobExecutor`. While it runs, the worker renews the job's claim every
 * `checkInterval` and looks for a cancellation, so a cancelled run stops within that time (at once when the
 * cancellation arrives at this instance). Everything the run writes (progress, the outcome) is fenced on its claim:
 * a worker that lost its claim (its lease ran out and another instance took the job over) writes nothing, so a
 * job's result is written once.
 *
 * A run that dies with its process is run again elsewhere once the lease runs out; one that fails unexpectedly is
 * run again after a backoff; after `maxAttempts` runs the job fails with an internal error naming it. A worker
 * stopped with its process (SIGTERM) puts its job back on the queue for another instance at once.
 *
 * @since 0.1.0
 */
import { randomUUID } from "node:crypto"
import type { JsonValue } from "@bulwark/core"
import { Cause, Context, Data, Deferred, Duration, Effect, Exit, Layer, Metric, Schedule } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { isTerminal, type Job, type JobError, type JobOutcome } from "./Job.ts"
import * as JobMetrics from "./JobMetrics.ts"
import { JobQueue, type StopReason } from "./JobQueue.ts"
import { type JobRow, jsonb, toJob } from "./JobRow.ts"
import type { JobsConfig } from "./JobsConfig.ts"

/** What an executor gets for one run of a job. */
export interface JobRunContext {
  readonly job: Job
  /** Which run of the job this is (1-based). */
  readonly attempt: number
  /** Records progress, visible to the job's owner. */
  readonly progress: (progress: number, total?: number, message?: string) => Effect.Effect<void>
}

/** Runs jobs: the one thing a composition gives the workers. */
export class JobExecutor extends Context.Service<
  JobExecutor,
  { readonly run: (context: JobRunContext) => Effect.Effect<JobOutcome> }
>()("@bulwark/jobs/JobExecutor") {}

/** A delivery that is to be taken again later (its tenant is at its limit, or its run failed and may be retried). */
class Redeliver extends Data.TaggedError("Redeliver")<{ readonly reason: string }> {}

type Claim = { readonly _tag: "Skip" } | { readonly _tag: "Busy" } | { readonly _tag: "Run"; readonly job: Job }

const SKIP: Claim = { _tag: "Skip" }
const BUSY: Claim = { _tag: "Busy" }

/** What a run came to, from the worker's side. */
type Ended =
  | { readonly _tag: "Ran"; readonly exit: Exit.Exit<JobOutcome> }
  | { readonly _tag: "Stopped"; readonly reason: StopReason | "lost" }

const internal = (job: Job, message: string): JobError => ({
  code: -32603,
  message: `${message} (job ${job.id})`,
  data: { jobId: job.id }
})

/** The workers of this instance. */
export const layer = (config: JobsConfig): Layer.Layer<never, never, SqlClient | JobQueue | JobExecutor> =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const { queue, stops } = yield* JobQueue
      const executor = yield* JobExecutor
      const leaseSeconds = Math.max(1, Math.ceil(Duration.toSeconds(config.lease)))
      const stale = sql.literal(`now() - interval '${leaseSeconds} seconds'`)

      /** Claims the job for `runner`, unless there is nothing to run or its tenant is at its limit. */
      const claim = (jobId: string, runner: string): Effect.Effect<Claim> =>
        Effect.gen(function* () {
          const rows = yield* sql<JobRow & { readonly fresh: boolean }>`
            SELECT *, heartbeat_at > ${stale} AS fresh FROM bulwark_jobs WHERE id = ${jobId} FOR UPDATE`
          const row = rows[0]
          if (row === undefined || isTerminal(row.status) || row.status === "input_required") return SKIP
          if (row.cancel_requested) {
            yield* sql`
              UPDATE bulwark_jobs SET status = 'cancelled', status_message = 'Cancelled by the client', runner = NULL,
                     updated_at = now()
              WHERE id = ${jobId}`
            return SKIP
          }
          // Still running elsewhere, with a fresh claim: wait for it to end or go stale.
          if (row.status === "working" && row.fresh) return BUSY
          if (row.attempts >= row.max_attempts) {
            const error = internal(toJob(row), `The job was given up after ${row.attempts} runs`)
            yield* sql`
              UPDATE bulwark_jobs SET status = 'failed', error = ${jsonb(error)}::jsonb, status_message = ${error.message},
                     runner = NULL, updated_at = now()
              WHERE id = ${jobId}`
            return SKIP
          }
          // One tenant's running jobs are counted under a lock of that tenant, across instances.
          yield* sql`SELECT pg_advisory_xact_lock(hashtext(${`bulwark-jobs:${row.tenant_id}`}))`
          const running = yield* sql<{ readonly running: number }>`
            SELECT count(*)::int AS running FROM bulwark_jobs
            WHERE tenant_id = ${row.tenant_id} AND status = 'working' AND id <> ${jobId} AND heartbeat_at > ${stale}`
          if ((running[0]?.running ?? 0) >= config.perTenant) return BUSY
          const claimed = yield* sql<JobRow>`
            UPDATE bulwark_jobs SET status = 'working', runner = ${runner}, heartbeat_at = now(),
                   attempts = attempts + 1, updated_at = now()
            WHERE id = ${jobId} RETURNING *`
          return { _tag: "Run", job: toJob(claimed[0] as JobRow) } as const
        }).pipe(sql.withTransaction, Effect.orDie)

      /** Writes the run's outcome, if the run still holds the job. */
      const finish = (
        job: Job,
        runner: string,
        fields: {
          readonly status: Job["status"]
          readonly message?: string | undefined
          readonly result?: JsonValue | undefined
          readonly error?: JobError | undefined
          readonly inputRequests?: Readonly<Record<string, JsonValue>> | undefined
        }
      ) =>
        sql`
          UPDATE bulwark_jobs
          SET status = ${fields.status}, status_message = ${fields.message ?? null},
              result = ${jsonb(fields.result)}::jsonb, error = ${jsonb(fields.error)}::jsonb,
              input_requests = ${jsonb(fields.inputRequests)}::jsonb,
              runner = NULL, heartbeat_at = NULL, updated_at = now(),
              expires_at = GREATEST(expires_at, now() + keep_ms * interval '1 millisecond')
          WHERE id = ${job.id} AND runner = ${runner}`.pipe(Effect.orDie, Effect.asVoid)

      /** Puts a job this worker holds back on the queue (its process is stopping), without counting the run. */
      const putBack = (job: Job, runner: string) =>
        sql`
          UPDATE bulwark_jobs SET status = 'queued', runner = NULL, heartbeat_at = NULL,
                 attempts = GREATEST(attempts - 1, 0), updated_at = now()
          WHERE id = ${job.id} AND runner = ${runner} AND status = 'working'`.pipe(Effect.ignore)

      const run = (job: Job, runner: string): Effect.Effect<void, Redeliver> =>
        Effect.gen(function* () {
          const stop = yield* Deferred.make<StopReason | "lost">()
          stops.set(job.id, (reason) => Deferred.doneUnsafe(stop, Exit.succeed(reason)))
          // The claim's renewal, which also sees a cancellation made on another instance.
          yield* sql<{ readonly cancel_requested: boolean }>`
            UPDATE bulwark_jobs SET heartbeat_at = now() WHERE id = ${job.id} AND runner = ${runner}
            RETURNING cancel_requested`.pipe(
            Effect.flatMap((rows) => {
              const reason = rows[0] === undefined ? "lost" : rows[0].cancel_requested ? "cancelled" : undefined
              return reason === undefined ? Effect.void : Deferred.succeed(stop, reason)
            }),
            Effect.ignore,
            Effect.repeat(Schedule.spaced(config.checkInterval)),
            Effect.delay(config.checkInterval),
            Effect.forkScoped
          )
          const progress = (value: number, total?: number, message?: string) =>
            sql`
              UPDATE bulwark_jobs SET progress = ${value}, progress_total = ${total ?? null},
                     status_message = COALESCE(${message ?? null}, status_message), updated_at = now()
              WHERE id = ${job.id} AND runner = ${runner}`.pipe(Effect.ignore)
          const startedAt = Date.now()
          const ended: Ended = yield* Effect.raceFirst(
            executor.run({ job, attempt: job.attempts, progress }).pipe(
              Effect.exit,
              Effect.map((exit): Ended => ({ _tag: "Ran", exit }))
            ),
            Deferred.await(stop).pipe(Effect.map((reason): Ended => ({ _tag: "Stopped", reason })))
          )
          const labels = JobMetrics.labelsOf(job)
          /** One log line and the run's series, as the run ends. */
          const end = (outcome: string, status: string) =>
            Effect.logInfo(`job ${status}`).pipe(
              Effect.annotateLogs({
                jobId: job.id,
                tenantId: job.tenantId,
                job: labels.job_name,
                attempt: job.attempts,
                durationMs: Date.now() - startedAt
              }),
              Effect.andThen(Metric.update(Metric.withAttributes(JobMetrics.runs, { ...labels, outcome }), 1)),
              Effect.andThen(
                Metric.update(
                  Metric.withAttributes(JobMetrics.duration, { job_name: labels.job_name }),
                  (Date.now() - startedAt) / 1000
                )
              )
            )
          if (ended._tag === "Stopped") {
            if (ended.reason === "lost") return yield* end("lost", "lost its claim to another worker")
            yield* finish(job, runner, { status: "cancelled", message: "Cancelled by the client" })
            return yield* end("cancelled", "cancelled")
          }
          const exit = ended.exit
          if (Exit.isSuccess(exit)) {
            const outcome = exit.value
            switch (outcome._tag) {
              case "Completed":
                yield* finish(job, runner, { status: "completed", result: outcome.result })
                return yield* end("completed", "completed")
              case "InputRequired":
                yield* finish(job, runner, {
                  status: "input_required",
                  message: "Waiting for input",
                  inputRequests: outcome.requests
                })
                return yield* end("input_required", "waits for input")
              case "Failed":
                yield* finish(job, runner, { status: "failed", message: outcome.error.message, error: outcome.error })
                return yield* end("failed", "failed")
            }
          }
          yield* Effect.logError("job run failed unexpectedly", Cause.pretty(exit.cause)).pipe(
            Effect.annotateLogs({ jobId: job.id, attempt: job.attempts })
          )
          if (job.attempts < job.maxAttempts) {
            yield* sql`
              UPDATE bulwark_jobs SET status = 'queued', runner = NULL, heartbeat_at = NULL, updated_at = now(),
                     status_message = ${`Run ${job.attempts} failed; it will be retried`}
              WHERE id = ${job.id} AND runner = ${runner}`.pipe(Effect.orDie)
            yield* end("retried", "run failed; it will be retried")
            return yield* new Redeliver({ reason: "the run failed" })
          }
          const error = internal(job, `The job failed after ${job.attempts} runs`)
          yield* finish(job, runner, { status: "failed", message: error.message, error })
          return yield* end("failed", "failed")
        }).pipe(
          Effect.scoped,
          Effect.ensuring(Metric.modify(JobMetrics.running, -1)),
          Effect.onInterrupt(() => putBack(job, runner)),
          Effect.ensuring(Effect.sync(() => stops.delete(job.id)))
        )

      const deliver = (jobId: string): Effect.Effect<void, Redeliver> =>
        Effect.suspend(() => {
          const runner = randomUUID()
          return Effect.flatMap(claim(jobId, runner), (claimed) => {
            switch (claimed._tag) {
              case "Skip":
                return Effect.void
              case "Busy":
                return Effect.fail(new Redeliver({ reason: "its tenant runs as many jobs as it may" }))
              case "Run":
                return Effect.andThen(Metric.modify(JobMetrics.running, 1), run(claimed.job, runner))
            }
          })
        })

      const worker = queue
        .take((delivery) => deliver(delivery.jobId))
        .pipe(
          Effect.catchTag("Redeliver", () => Effect.void),
          Effect.catchCause((cause) =>
            Cause.hasInterruptsOnly(cause)
              ? Effect.failCause(cause)
              : Effect.logWarning("job worker failed; it goes on", cause).pipe(Effect.andThen(Effect.sleep("1 second")))
          ),
          Effect.forever
        )
      for (let i = 0; i < config.workers; i++) yield* Effect.forkScoped(worker)
    })
  )
