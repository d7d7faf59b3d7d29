/**
 * The Tasks extension's methods: `tasks/get` (the detailed task: its questions, result or error inlined),
 * `tasks/update` (answers to the questions of an `input_required` task; an empty acknowledgement), `tasks/cancel`
 * (an empty acknowledgement, also for a task that already ended). Each is refused with -32021 to a request that
 * does not declare the extension (over HTTP, the SDK has already checked that the `Mcp-Name` header names the task,
 * SEP-2663's routing header: -32020 and 400 otherwise); a task that is unknown, expired, or another tenant's or principal's is -32602 "Task not found",
 * the same answer for each. `tasks/result` and `tasks/list` (removed from the extension) stay unknown methods.
 *
 * @since 0.1.0
 */
import { type Call, invalidParams, type JsonValue, type McpError, type McpResult, type Method } from "@bulwark/core"
import { Jobs } from "@bulwark/jobs"
import { Effect } from "effect"
import * as Extension from "./Extension.ts"
import { detailed } from "./TaskWire.ts"

const ACK: McpResult = { resultType: "complete" }

const notFound = invalidParams("Task not found")

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** The methods, over the jobs in context. */
export const make = Effect.map(Jobs, (jobs): ReadonlyArray<Method> => {
  const owner = (call: Call) => ({ tenantId: call.tenantId, principal: call.principal?.subject ?? "" })
  const method = (name: string, serve: (call: Call, taskId: string) => Effect.Effect<McpResult, McpError>): Method => ({
    name,
    custom: true,
    capabilities: Extension.capabilities,
    resolve: (params) =>
      typeof params.taskId === "string" && params.taskId !== ""
        ? { _tag: "Extension", method: name, name: params.taskId }
        : { _tag: "Malformed", error: invalidParams("params.taskId must be a non-empty string") },
    serve: (call) => {
      if (!Extension.declared(call.request.clientCapabilities)) return Effect.fail(Extension.missing(name))
      return serve(call, call.target._tag === "Extension" ? (call.target.name ?? "") : "")
    }
  })
  return [
    method("tasks/get", (call, taskId) =>
      Effect.flatMap(jobs.find(owner(call), taskId), (job) =>
        job === undefined ? Effect.fail(notFound) : Effect.succeed(detailed(job, jobs.pollIntervalMs))
      )
    ),
    method("tasks/update", (call, taskId) => {
      // The SDK may have lifted `inputResponses` out of the params (as it does for multi round-trip retries).
      const responses = call.request.params.inputResponses ?? call.request.inputResponses
      if (!isRecord(responses)) return Effect.fail(invalidParams("params.inputResponses must be an object"))
      return Effect.flatMap(
        jobs.respond(owner(call), taskId, responses as Readonly<Record<string, JsonValue>>),
        (responded) => (responded === "not-found" ? Effect.fail(notFound) : Effect.succeed(ACK))
      )
    }),
    method("tasks/cancel", (call, taskId) =>
      Effect.flatMap(jobs.cancel(owner(call), taskId), (found) => (found ? Effect.succeed(ACK) : Effect.fail(notFound)))
    )
  ]
})
