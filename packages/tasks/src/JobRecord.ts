/**
 * The job type of `@bulwark/jobs`, under the name this package uses.
 *
 * @since 0.1.0
 */
import type { Job } from "@bulwark/jobs"

/** A job, as `Jobs.find` returns it. */
export type JobRecord = Job.Job
