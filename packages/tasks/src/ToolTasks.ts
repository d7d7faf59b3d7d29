/**
 * Tools that run as long-running tasks. The `tasks` stage (`execute` phase, outermost in it) turns a call of a tool
 * that declares `task` into a durable job, once the request has passed authentication, limits, validation and
 * idempotency, and answers:
 *
 * - a 2026-07-28 client that declares the Tasks extension: the task (`resultType: "task"`), once its row is
 *   committed, after the tool's `before` questions were answered (multi round-trip, on the call itself);
 * - a 2026-07-28 client that does not: the call runs now (`optional`), or -32021 naming the extension (`required`);
 * - a 2025 client: the call runs now (`optional`), or a job id to follow with the job tools (`required`).
 *
 * Any instance's workers run the job through the rest of the chain below this stage (the deadline, the backends'
 * policies, the tool), as the same principal and tenant, with the answers gathered so far; a run that asks for
 * input parks the task in `input_required` until `tasks/update` answers it. A tool error is a completed task whose
 * result says so; a protocol error is a failed task; anything unexpected is retried, then failed with an internal
 * error naming the job.
 *
 * @since 0.1.0
 */
import {
  type Call,
  Catalog,
  type CompiledTool,
  Content,
  carriedAnswers,
  type Handler,
  type InputRequired,
  type JsonValue,
  type McpRequest,
  type McpResult,
  makeRequestId,
  makeToolContext,
  Notifier,
  type Principal,
  type ProtocolEra,
  Stage,
  toInputRequiredResult
} from "@bulwark/core"
import { Job, JobExecutor, type JobRunContext, Jobs } from "@bulwark/jobs"
import type { ClientCapabilities } from "@modelcontextprotocol/server"
import { Cause, Context, Deferred, Effect, Layer, Result } from "effect"
import * as Extension from "./Extension.ts"
import { created } from "./TaskWire.ts"

/** The job kind of a tool call. */
export const KIND = "tool"

/** The `_meta` key of a 2025 answer that started a job. */
export const JOB_META_KEY = "io.bulwark/job"

/** What a tool job keeps of its call, to run it as its caller. */
interface ToolJobInput {
  readonly arguments: JsonValue
  readonly era: ProtocolEra
  readonly clientCapabilities?: JsonValue
  readonly principal?: JsonValue
}

/** Tools as tasks: the stage, and the executor the job workers run tool jobs with. */
export interface ToolTasksShape {
  readonly stage: Stage.Stage
  readonly executor: JobExecutor["Service"]
}

/** Tools as tasks. */
export class ToolTasks extends Context.Service<ToolTasks, ToolTasksShape>()("@bulwark/tasks/ToolTasks") {}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** The text a 2025 client reads when its call became a job. */
const startedText = (name: string, id: string) =>
  `Started job ${id} for "${name}": it runs in the background. Call job_status with {"jobId": "${id}"} to follow ` +
  `it, job_result to read its result once it has completed, job_cancel to stop it.`

/** The protocol error of a failed run, as a job keeps it. */
const jobError = (error: { readonly code: number; readonly message: string; readonly data?: unknown }): Job.JobError =>
  error.data === undefined
    ? { code: error.code, message: error.message }
    : { code: error.code, message: error.message, data: error.data as JsonValue }

/** Tools as tasks, over the jobs, the catalog and the notifier. */
export const layer: Layer.Layer<ToolTasks, never, Jobs | Catalog.Catalog | Notifier> = Layer.effect(
  ToolTasks,
  Effect.gen(function* () {
    const jobs = yield* Jobs
    const catalog = yield* Catalog.Catalog
    const notifier = yield* Notifier
    /** The rest of the chain below the stage, known once the pipeline is built. */
    const below = yield* Deferred.make<Handler>()

    const submit = (call: Call, tool: CompiledTool, answers: Readonly<Record<string, unknown>>) => {
      const request = call.request
      const input: ToolJobInput = {
        arguments: (call.target._tag === "ToolCall" ? call.target.arguments : {}) as JsonValue,
        era: request.era,
        ...(request.clientCapabilities === undefined
          ? {}
          : { clientCapabilities: request.clientCapabilities as JsonValue }),
        ...(call.principal === undefined ? {} : { principal: call.principal as unknown as JsonValue })
      }
      return jobs.submit({
        tenantId: call.tenantId,
        principal: call.principal?.subject ?? "",
        kind: KIND,
        name: tool.name,
        input: input as unknown as JsonValue,
        answers: answers as Readonly<Record<string, JsonValue>>,
        ...(tool.task?.keepMs === undefined ? {} : { keepMs: tool.task.keepMs }),
        ...(tool.task?.maxAttempts === undefined ? {} : { maxAttempts: tool.task.maxAttempts })
      })
    }

    /** Asks the tool's `before` questions, then submits the job and answers with its handle. */
    const createTask = (call: Call, tool: CompiledTool, answer: "task" | "job"): Effect.Effect<McpResult> => {
      const context = makeToolContext(call, notifier)
      const before = tool.task?.before
      const asked = before === undefined ? Effect.void : Effect.asVoid(before(call.input, context))
      return Effect.matchEffect(asked, {
        onFailure: (error: InputRequired) => toInputRequiredResult(error, context) as Effect.Effect<McpResult>,
        onSuccess: () => {
          const answers = { ...carriedAnswers(call.request, tool.name), ...call.request.inputResponses }
          return Effect.map(
            submit(call, tool, answers),
            (job): McpResult =>
              answer === "task"
                ? created(job, jobs.pollIntervalMs)
                : {
                    content: [Content.text(startedText(tool.name, job.id))],
                    _meta: { [JOB_META_KEY]: { jobId: job.id, status: job.status } }
                  }
          )
        }
      })
    }

    const stage = Stage.make(
      "tasks",
      "execute",
      (next: Handler): Handler => {
        Deferred.doneUnsafe(below, Effect.succeed(next))
        return (call) => {
          const target = call.target
          const tool = target._tag === "ToolCall" ? target.tool : undefined
          const task = tool?.task
          if (tool === undefined || task === undefined || call.request.job !== undefined) return next(call)
          if (call.request.era === "modern") {
            if (Extension.declared(call.request.clientCapabilities)) return createTask(call, tool, "task")
            return task.mode === "required" ? Effect.fail(Extension.missing(`the tool "${tool.name}"`)) : next(call)
          }
          return task.mode === "required" ? createTask(call, tool, "job") : next(call)
        }
      },
      // Outermost in its phase: a call that becomes a task is not run (nor timed) here.
      { order: -1 }
    )

    /** Runs one tool job through the chain below the stage, as its caller. */
    const run = ({ job, attempt, progress }: JobRunContext): Effect.Effect<Job.JobOutcome> =>
      Effect.gen(function* () {
        const input = job.input as unknown as ToolJobInput
        const tool = catalog.tools.get(job.name)
        if (tool === undefined) return Job.failed({ code: -32602, message: `Unknown tool: ${job.name}` })
        const decoded = tool.decode(input.arguments)
        if (Result.isFailure(decoded)) {
          return Job.failed({ code: -32602, message: `Invalid arguments for tool ${job.name}` })
        }
        const next = yield* Deferred.await(below)
        const principal = input.principal as unknown as Principal | undefined
        const request: McpRequest = {
          jsonRpcId: job.id,
          method: "tools/call",
          params: { name: job.name, arguments: input.arguments },
          meta: { progressToken: job.id },
          era: input.era,
          headers: {},
          inputResponses: job.answers,
          ...(input.clientCapabilities === undefined
            ? {}
            : { clientCapabilities: input.clientCapabilities as ClientCapabilities }),
          ...(principal === undefined ? {} : { principal }),
          client: {
            notify: (method, params) =>
              method === "notifications/progress" && typeof params.progress === "number"
                ? Effect.runPromise(
                    progress(
                      params.progress,
                      typeof params.total === "number" ? params.total : undefined,
                      typeof params.message === "string" ? params.message : undefined
                    )
                  )
                : Promise.resolve(),
            log: () => Promise.resolve()
          },
          job: { id: job.id, attempt }
        }
        const call: Call = {
          request,
          requestId: makeRequestId(),
          principal,
          tenantId: job.tenantId,
          startedAt: performance.now(),
          target: { _tag: "ToolCall", name: job.name, tool, arguments: input.arguments },
          input: decoded.success
        }
        const exit = yield* Effect.exit(next(call))
        if (exit._tag === "Success") {
          const { resultType, ...result } = exit.value
          if (resultType === "input_required" && isRecord(result.inputRequests)) {
            return Job.inputRequired(result.inputRequests as Readonly<Record<string, JsonValue>>)
          }
          return Job.completed(result as JsonValue)
        }
        const failure = Cause.findErrorOption(exit.cause)
        if (failure._tag === "Some") return Job.failed(jobError(failure.value))
        return yield* Effect.failCause(exit.cause as Cause.Cause<never>)
      }).pipe(Effect.orDie)

    return ToolTasks.of({ stage, executor: JobExecutor.of({ run }) })
  })
)

/** The executor the job workers run tool jobs with. */
export const layerExecutor: Layer.Layer<JobExecutor, never, ToolTasks> = Layer.effect(
  JobExecutor,
  Effect.map(ToolTasks, (tasks) => tasks.executor)
)
