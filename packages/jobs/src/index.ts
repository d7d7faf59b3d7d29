/**
 * `@bulwark/jobs`: durable jobs on PostgreSQL for any plugin. A job is a row of `bulwark_jobs` (the source of truth
 * for its owner: status, progress, questions, result, kept for a retention time) and a delivery on Effect's
 * `PersistedQueue` (SQL store), written in one transaction. Workers on every instance claim deliveries, run them
 * with the composition's `JobExecutor`, renew their claim while they run (so a job whose worker died runs again
 * elsewhere), stop a run that is cancelled, retry a run that failed with backoff, and keep each tenant to its
 * number of running jobs across instances.
 *
 * @since 0.1.0
 */
import type { MigrationError, MigrationRegistry } from "@bulwark/database"
import { Layer } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import { JobQueue, layer as layerQueue } from "./JobQueue.ts"
import { type Jobs, layer as layerJobs } from "./Jobs.ts"
import type { JobsConfig } from "./JobsConfig.ts"
import * as JobsMigrations from "./JobsMigrations.ts"

export type { JobError, JobOutcome, JobOwner, JobStatus } from "./Job.ts"
/** What a job is, where it stands, and what a run comes to (`Job.completed`, `Job.inputRequired`, `Job.failed`). */
export * as Job from "./Job.ts"
/** The Prometheus series of jobs. */
export * as JobMetrics from "./JobMetrics.ts"
/** Submitting, finding, answering and cancelling jobs. */
export { Jobs, type JobsShape, type Responded, type SubmitOptions } from "./Jobs.ts"
/** The settings. */
export { JobsConfig } from "./JobsConfig.ts"
/** The workers and what they run jobs with. */
export { JobExecutor, type JobRunContext, layer as layerWorkers } from "./JobWorkers.ts"
/** The queue jobs travel on (Effect's `PersistedQueue`, SQL store). */
/** The jobs table. */
export { JobQueue, JobsMigrations, layerQueue }

/** Jobs and their queue on the app's database, its migrations applied (workers are `layerWorkers`). */
export const layer = (
  config: JobsConfig
): Layer.Layer<Jobs | JobQueue, SqlError | MigrationError, SqlClient | MigrationRegistry> =>
  layerJobs(config).pipe(Layer.provideMerge(layerQueue(config)), Layer.provide(JobsMigrations.layer))
