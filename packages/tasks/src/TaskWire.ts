/**
 * A job as the Tasks extension shows it: the `Task` fields (`taskId`, `status`, `statusMessage`, `createdAt`,
 * `lastUpdatedAt`, integer `ttlMs` and `pollIntervalMs`), and the detailed variants `tasks/get` answers (the
 * questions of an `input_required` task, the result of a `completed` one, the error of a `failed` one). A queued job
 * is `working` to the client. Progress, which the extension does not define, travels in `statusMessage` and in
 * `_meta["io.bulwark/progress"]`.
 *
 * @since 0.1.0
 */
import type { McpResult } from "@bulwark/core"
import type { Job } from "@bulwark/jobs"

/** The `_meta` key of a task's progress. */
export const PROGRESS_META_KEY = "io.bulwark/progress"

/** The task fields of a job. */
export const toTask = (job: Job.Job, pollIntervalMs: number): McpResult => ({
  taskId: job.id,
  status: job.status === "queued" ? "working" : job.status,
  ...(job.statusMessage === undefined ? {} : { statusMessage: job.statusMessage }),
  createdAt: job.createdAt.toISOString(),
  lastUpdatedAt: job.updatedAt.toISOString(),
  ttlMs: Math.max(1, Math.round(job.expiresAt.getTime() - job.createdAt.getTime())),
  pollIntervalMs: Math.max(1, Math.round(pollIntervalMs)),
  ...(job.progress === undefined
    ? {}
    : {
        _meta: {
          [PROGRESS_META_KEY]: {
            progress: job.progress.progress,
            ...(job.progress.total === undefined ? {} : { total: job.progress.total })
          }
        }
      })
})

/** The answer to a call that created a task (`CreateTaskResult`): the task, nothing more. */
export const created = (job: Job.Job, pollIntervalMs: number): McpResult => ({
  resultType: "task",
  ...toTask(job, pollIntervalMs)
})

/** The detailed task `tasks/get` answers. */
export const detailed = (job: Job.Job, pollIntervalMs: number): McpResult => ({
  resultType: "complete",
  ...toTask(job, pollIntervalMs),
  ...(job.status === "input_required" && job.inputRequests !== undefined ? { inputRequests: job.inputRequests } : {}),
  // The inlined result is the call's complete 2026-07-28 result, discriminator included.
  ...(job.status === "completed" && job.result !== undefined
    ? { result: { resultType: "complete", ...(job.result as object) } }
    : {}),
  ...(job.status === "failed" && job.error !== undefined ? { error: job.error } : {})
})
