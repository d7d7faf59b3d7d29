/**
 * Durable jobs, as a service: submit one (its row and its delivery written in one transaction, so it exists once
 * this returns, on every instance), find it, answer the questions it waits on, cancel it. A job belongs to a tenant
 * and a principal: another caller's job id is not found, exactly as a missing one. Ids are 144 random bits.
 *
 * Workers (`JobWorkers`) run what is submitted; this service is all a submitter needs.
 *
 * @since 0.1.0
 */
import { randomBytes } from "node:crypto"
import type { JsonValue } from "@bulwark/core"
import { Context, Duration, Effect, Layer, Metric } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { isTerminal, type Job, type JobOwner } from "./Job.ts"
import * as JobMetrics from "./JobMetrics.ts"
import { JobQueue } from "./JobQueue.ts"
import { type JobRow, jsonb, toJob } from "./JobRow.ts"
import type { JobsConfig } from "./JobsConfig.ts"

/** What to submit. */
export interface SubmitOptions extends JobOwner {
  readonly kind: string
  readonly name: string
  readonly input: JsonValue
  /** Answers the job starts with (questions asked before it was submitted). */
  readonly answers?: Readonly<Record<string, JsonValue>>
  /** How long it is kept (default: `jobs.keep`). */
  readonly keepMs?: number
  /** Runs before it is given up (default 3). */
  readonly maxAttempts?: number
}

/** What answering a job's questions came to. */
export type Responded = "resumed" | "waiting" | "not-waiting" | "not-found"

/** Durable jobs. */
export interface JobsShape {
  /** Stores the job and puts it on the queue, in one transaction. */
  readonly submit: (options: SubmitOptions) => Effect.Effect<Job>
  /** The owner's job, unless it is unknown, someone else's, or expired. */
  readonly find: (owner: JobOwner, id: string) => Effect.Effect<Job | undefined>
  /**
   * Answers some of the questions the job waits on (unknown or already answered keys are ignored): once all are
   * answered it runs again (`resumed`), else it keeps waiting for the rest (`waiting`).
   */
  readonly respond: (
    owner: JobOwner,
    id: string,
    responses: Readonly<Record<string, JsonValue>>
  ) => Effect.Effect<Responded>
  /**
   * Cancels the job: at once if it is queued or waiting for answers; a running job is stopped by its worker (at once
   * on this instance, at its next check on another). A job that already ended stays as it is. False when not found.
   */
  readonly cancel: (owner: JobOwner, id: string) => Effect.Effect<boolean>
  /** How long clients should wait between polls, in milliseconds. */
  readonly pollIntervalMs: number
}

/** Durable jobs. */
export class Jobs extends Context.Service<Jobs, JobsShape>()("@bulwark/jobs/Jobs") {}

/** A new job id: 144 random bits, URL-safe. */
const newId = () => randomBytes(18).toString("base64url")

const LIVE = "(expires_at > now() OR status NOT IN ('completed', 'failed', 'cancelled'))"

/** Jobs on the app's database. */
export const layer = (config: JobsConfig): Layer.Layer<Jobs, never, SqlClient | JobQueue> =>
  Layer.effect(
    Jobs,
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const { queue, stops } = yield* JobQueue
      const keepMs = Duration.toMillis(config.keep)
      const live = sql.literal(LIVE)

      const submit = (options: SubmitOptions) =>
        Effect.gen(function* () {
          const id = newId()
          const keep = Math.max(1000, Math.round(options.keepMs ?? keepMs))
          const rows = yield* sql<JobRow>`
            INSERT INTO bulwark_jobs (id, tenant_id, principal, kind, name, input, answers, status, max_attempts,
                                      keep_ms, expires_at)
            VALUES (${id}, ${options.tenantId}, ${options.principal}, ${options.kind}, ${options.name},
                    ${jsonb(options.input)}::jsonb, ${jsonb(options.answers ?? {})}::jsonb, 'queued',
                    ${Math.max(1, options.maxAttempts ?? 3)}, ${keep},
                    now() + ${keep} * interval '1 millisecond')
            RETURNING *`
          yield* queue.offer({ jobId: id }, { id: `${id}:0` })
          return toJob(rows[0] as JobRow)
        }).pipe(
          sql.withTransaction,
          Effect.orDie,
          Effect.tap((job) => Metric.update(Metric.withAttributes(JobMetrics.submitted, JobMetrics.labelsOf(job)), 1))
        )

      const find = (owner: JobOwner, id: string) =>
        sql<JobRow>`
          SELECT * FROM bulwark_jobs
          WHERE id = ${id} AND tenant_id = ${owner.tenantId} AND principal = ${owner.principal} AND ${live}`.pipe(
          Effect.map((rows) => (rows[0] === undefined ? undefined : toJob(rows[0]))),
          Effect.orDie
        )

      const respond = (owner: JobOwner, id: string, responses: Readonly<Record<string, JsonValue>>) =>
        Effect.gen(function* () {
          const rows = yield* sql<JobRow>`
            SELECT * FROM bulwark_jobs
            WHERE id = ${id} AND tenant_id = ${owner.tenantId} AND principal = ${owner.principal} AND ${live}
            FOR UPDATE`
          const row = rows[0]
          if (row === undefined) return "not-found" as const
          if (row.status !== "input_required" || row.input_requests === null) return "not-waiting" as const
          const pending: Record<string, JsonValue> = { ...row.input_requests }
          const answers: Record<string, JsonValue> = { ...row.answers }
          let answered = 0
          for (const key of Object.keys(responses)) {
            if (!(key in pending)) continue
            answers[key] = responses[key] as JsonValue
            delete pending[key]
            answered++
          }
          if (answered === 0) return "waiting" as const
          const resumed = Object.keys(pending).length === 0
          yield* sql`
            UPDATE bulwark_jobs
            SET answers = ${jsonb(answers)}::jsonb,
                input_requests = ${resumed ? null : jsonb(pending)}::jsonb,
                status = ${resumed ? "queued" : "input_required"},
                round = round + ${resumed ? 1 : 0},
                updated_at = now()
            WHERE id = ${id}`
          if (resumed) yield* queue.offer({ jobId: id }, { id: `${id}:${row.round + 1}` })
          return resumed ? ("resumed" as const) : ("waiting" as const)
        }).pipe(sql.withTransaction, Effect.orDie)

      const cancel = (owner: JobOwner, id: string) =>
        sql<{ readonly status: Job["status"] }>`
          UPDATE bulwark_jobs
          SET cancel_requested = true,
              status = CASE WHEN status IN ('queued', 'input_required') THEN 'cancelled' ELSE status END,
              status_message = CASE WHEN status IN ('queued', 'input_required') THEN 'Cancelled by the client'
                                    ELSE status_message END,
              input_requests = CASE WHEN status IN ('queued', 'input_required') THEN NULL ELSE input_requests END,
              updated_at = CASE WHEN status IN ('queued', 'input_required', 'working') THEN now() ELSE updated_at END
          WHERE id = ${id} AND tenant_id = ${owner.tenantId} AND principal = ${owner.principal} AND ${live}
          RETURNING status`.pipe(
          Effect.map((rows) => {
            const row = rows[0]
            if (row === undefined) return false
            if (!isTerminal(row.status)) stops.get(id)?.("cancelled")
            return true
          }),
          Effect.orDie
        )

      // Expired jobs that ended are removed now and then (lookups ignore them anyway).
      yield* sql`DELETE FROM bulwark_jobs WHERE expires_at < now() AND status IN ('completed', 'failed', 'cancelled')`.pipe(
        Effect.ignore,
        Effect.andThen(Effect.sleep("1 minute")),
        Effect.forever,
        Effect.forkScoped
      )

      return Jobs.of({
        submit,
        find,
        respond,
        cancel,
        pollIntervalMs: Math.max(1, Math.round(Duration.toMillis(config.clientPollInterval)))
      })
    })
  )
