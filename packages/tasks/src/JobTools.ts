/**
 * Jobs as tools, for clients that do not speak the Tasks extension (every 2025 client, as the article's
 * event-driven pattern has it): a call of a tool that must run as a task answers a job id, and these tools follow it
 * (`job_status`), read its result (`job_result`: the tool's own result once it completed) and stop it (`job_cancel`).
 * They see only the caller's own jobs. Install `jobToolsPlugin` beside the plugins whose tools run as tasks.
 *
 * @since 0.1.0
 */
import { Content, Plugin, type Principal, Tool, ToolError } from "@bulwark/core"
import { Job, Jobs } from "@bulwark/jobs"
import { Effect, Schema } from "effect"

const JobId = Schema.Struct({
  jobId: Schema.String.check(Schema.isMinLength(1)).annotate({ description: "The job id the tool call answered" })
})

const ownerOf = (principal: Principal | undefined, tenantId: string) => ({
  tenantId,
  principal: principal?.subject ?? ""
})

const notFound = (id: string) => new ToolError({ message: `No job ${id} (it is unknown, someone else's, or expired)` })

/** What `job_status` answers. */
const JobStatus = Schema.Struct({
  jobId: Schema.String,
  tool: Schema.String,
  status: Schema.Literals(["queued", "working", "input_required", "completed", "failed", "cancelled"]),
  statusMessage: Schema.optionalKey(Schema.String),
  progress: Schema.optionalKey(Schema.Number),
  total: Schema.optionalKey(Schema.Number),
  createdAt: Schema.String,
  updatedAt: Schema.String
})

const statusOf = (job: Job.Job): typeof JobStatus.Type => ({
  jobId: job.id,
  tool: job.name,
  status: job.status,
  ...(job.statusMessage === undefined ? {} : { statusMessage: job.statusMessage }),
  ...(job.progress === undefined ? {} : { progress: job.progress.progress }),
  ...(job.progress?.total === undefined ? {} : { total: job.progress.total }),
  createdAt: job.createdAt.toISOString(),
  updatedAt: job.updatedAt.toISOString()
})

const describe = (status: typeof JobStatus.Type) =>
  `Job ${status.jobId} (${status.tool}): ${status.status}` +
  (status.progress === undefined ? "" : `, ${status.progress}${status.total === undefined ? "" : `/${status.total}`}`) +
  (status.statusMessage === undefined ? "" : ` — ${status.statusMessage}`)

const jobStatus = Tool.make("job_status", {
  description: "Where a background job stands: queued, working, completed, failed or cancelled, with its progress.",
  input: JobId,
  output: JobStatus,
  errors: [ToolError],
  hints: { readOnly: true },
  content: (status) => [Content.text(describe(status))],
  handler: ({ jobId }, { call }) =>
    Effect.flatMap(
      Jobs.use((jobs) => jobs.find(ownerOf(call.principal, call.tenantId), jobId)),
      (job) => (job === undefined ? Effect.fail(notFound(jobId)) : Effect.succeed(statusOf(job)))
    )
})

/** `job_result`'s arguments: the job, and how long to wait for it. */
const JobResultRequest = Schema.Struct({
  ...JobId.fields,
  waitSeconds: Schema.optionalKey(
    Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 60 })).annotate({
      description:
        "Wait up to this many seconds for the job to end (0-60, default 0); its progress is sent as progress " +
        "notifications meanwhile when the call asks for them"
    })
  )
})

/** The answer `job_result` gives for a job as it stands. */
const resultOf = (jobId: string, job: Job.Job): Effect.Effect<ReadonlyArray<Content.Content>, ToolError> => {
  switch (job.status) {
    case "completed": {
      const result = job.result as { readonly content?: ReadonlyArray<Content.Content>; readonly isError?: boolean }
      const content = result.content ?? []
      if (result.isError === true) {
        const text = content.flatMap((block) => (block.type === "text" ? [block.text] : [])).join("\n")
        return Effect.fail(new ToolError({ message: text || `Job ${jobId} completed with an error` }))
      }
      return Effect.succeed(content)
    }
    case "failed":
      return Effect.fail(new ToolError({ message: `Job ${jobId} failed: ${job.error?.message ?? "unknown error"}` }))
    case "cancelled":
      return Effect.fail(new ToolError({ message: `Job ${jobId} was cancelled` }))
    default:
      return Effect.fail(
        new ToolError({
          message: `Job ${jobId} has not completed yet (${job.status}); call job_status to follow it, or job_result with waitSeconds`
        })
      )
  }
}

/** How often a waiting `job_result` looks at its job. */
const WAIT_POLL = "250 millis"

const jobResult = Tool.make("job_result", {
  description:
    "The result of a background job once it has completed (the result of the tool it ran); with waitSeconds, waits " +
    "for it, reporting its progress.",
  input: JobResultRequest,
  errors: [ToolError],
  hints: { readOnly: true },
  timeout: "90 seconds",
  handler: ({ jobId, waitSeconds }, { call, progress }) =>
    Effect.gen(function* () {
      const jobs = yield* Jobs
      const owner = ownerOf(call.principal, call.tenantId)
      const deadline = Date.now() + (waitSeconds ?? 0) * 1000
      let reported = ""
      for (;;) {
        const job = yield* jobs.find(owner, jobId)
        if (job === undefined) return yield* notFound(jobId)
        const waiting = !Job.isTerminal(job.status) && job.status !== "input_required"
        if (!waiting || Date.now() >= deadline) return yield* resultOf(jobId, job)
        // Progress notifications while it runs (sent only when the call asked for them, on its stream).
        const seen = JSON.stringify([job.progress, job.statusMessage])
        if (job.progress !== undefined && seen !== reported) {
          reported = seen
          yield* progress(job.progress.progress, job.progress.total, job.statusMessage)
        }
        yield* Effect.sleep(WAIT_POLL)
      }
    })
})

const jobCancel = Tool.make("job_cancel", {
  description: "Cancels a background job (a job that already ended stays as it is).",
  input: JobId,
  errors: [ToolError],
  hints: { idempotent: true },
  handler: ({ jobId }, { call }) =>
    Effect.flatMap(
      Jobs.use((jobs) => jobs.cancel(ownerOf(call.principal, call.tenantId), jobId)),
      (found) => (found ? Effect.succeed(`Cancellation of job ${jobId} requested`) : Effect.fail(notFound(jobId)))
    )
})

/** The job tools, as a plugin whose handlers need the jobs. */
export const jobToolsPlugin = Plugin.make<Jobs>({
  name: "jobs",
  version: "0.1.0",
  description: "Follow, read and cancel background jobs (for clients without the Tasks extension).",
  tools: [jobStatus, jobResult, jobCancel]
})
