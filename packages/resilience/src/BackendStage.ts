/**
 * The pipeline stage that runs every call of a tool, resource or prompt under the policy of each backend it names
 * (`execute` phase, inside the request's deadline). A backend that does not answer never fails silently: a tool
 * answers from its declared fallback, marked degraded in its text and `_meta`, or with a tool error naming the
 * backend, what happened and when to retry; a resource or prompt with a JSON-RPC error (-32031) that says the same
 * in `data`. Each such answer is marked on the request's span (`bulwark.degraded`, `bulwark.backend`,
 * `bulwark.backend.reason`) and logged as a warning (at most once a second per backend and reason). Requests that name no backend pass through untouched, at no cost.
 */
import {
  type BackendUnavailable,
  type Call,
  Deadline,
  type Handler,
  McpError,
  type McpResult,
  type PipelineError,
  Stage,
  UNAVAILABLE_CODE
} from "@bulwark/core"
import { Effect } from "effect"
import { Backends } from "./Backends.ts"

const NONE: ReadonlyArray<string> = []

/** The backends a request's target names. */
const backendsOf = (call: Call): ReadonlyArray<string> => {
  const target = call.target
  switch (target._tag) {
    case "ToolCall": {
      const tool = target.tool
      if (tool === undefined) return NONE
      return tool.backendsOf === undefined || call.input === undefined ? tool.backends : tool.backendsOf(call.input)
    }
    case "PromptGet":
      return target.prompt?.backends ?? NONE
    case "ResourceAccess":
      return target.action === "read" ? (target.resource?.backends ?? NONE) : NONE
    case "Completion":
      return target.ref.kind === "prompt"
        ? (target.ref.prompt?.backends ?? NONE)
        : (target.ref.template?.backends ?? NONE)
    default:
      return NONE
  }
}

/** What a request that could not reach its backend answers. */
/** When each backend and reason was last logged: an open circuit refuses thousands of calls a second. */
const lastLogged = new Map<string, number>()

/** Logs a degraded answer as a warning, at most once a second per backend and reason (each is on its span). */
const warn = (failure: BackendUnavailable) =>
  Effect.clockWith((clock) => {
    const key = `${failure.backend}\u0000${failure.reason}`
    const now = clock.currentTimeMillisUnsafe()
    if (now - (lastLogged.get(key) ?? 0) < 1000) return Effect.void
    lastLogged.set(key, now)
    return Effect.logWarning(`answered without backend ${failure.backend}: ${failure.reason}`).pipe(
      Effect.annotateLogs({ backend: failure.backend, reason: failure.reason })
    )
  })

const answer = (call: Call, failure: BackendUnavailable) => {
  const target = call.target
  const logged = warn(failure).pipe(
    Effect.andThen(
      Effect.annotateCurrentSpan({
        "bulwark.degraded": true,
        "bulwark.backend": failure.backend,
        "bulwark.backend.reason": failure.reason
      })
    )
  )
  if (target._tag === "ToolCall" && target.tool !== undefined) {
    return Effect.andThen(logged, target.tool.unavailable(call.input, failure))
  }
  return Effect.andThen(
    logged,
    Effect.fail(
      new McpError({
        code: UNAVAILABLE_CODE,
        message: failure.message,
        data: {
          requestId: call.requestId,
          backend: failure.backend,
          reason: failure.reason,
          retryAfterSeconds: failure.retryAfterSeconds
        }
      })
    )
  )
}

/** The backends stage, on the guards in context. */
export const make = Effect.map(Backends, (backends) =>
  Stage.make(
    "backends",
    "execute",
    (next: Handler): Handler =>
      (call) => {
        const names = backendsOf(call)
        if (names.length === 0) return next(call)
        const idempotent = call.target._tag === "ToolCall" ? (call.target.tool?.idempotent ?? false) : true
        return Effect.flatMap(Deadline, (deadline) => {
          const options = {
            tenantId: call.tenantId,
            idempotent,
            ...(deadline === undefined ? {} : { deadlineAt: deadline.at })
          }
          let guarded: Effect.Effect<McpResult, PipelineError | BackendUnavailable> = next(call)
          for (const name of names) {
            const guard = backends.get(name)
            if (guard !== undefined) guarded = guard.call(guarded, options)
          }
          return guarded.pipe(Effect.catchTag("BackendUnavailable", (failure) => answer(call, failure)))
        })
      },
    // Inside the deadline stage: the deadline is known, and a call cut by it is cut here too.
    { order: 1 }
  )
)
