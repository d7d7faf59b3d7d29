/**
 * The request's deadline (`execute` phase): the tool's own timeout where it declares one, else the server's
 * default, never above the server's maximum or the cap an admission stage set (`TimeoutCap`). The rest of the
 * chain finds it in `Deadline`. A tool call that runs out becomes a tool error the agent can act on (and the
 * handler is interrupted); other requests get a JSON-RPC timeout error.
 */
import { Clock, Context, Duration, Effect, Exit, Fiber } from "effect"
import { text } from "../../content/Content.ts"
import { ErrorCode, McpError } from "../../errors/McpError.ts"
import type { McpResult } from "../../request/McpRequest.ts"
import { Deadline, TimeoutCap } from "../Deadline.ts"
import { type Begun, withRunHook } from "../RunHook.ts"
import type { PipelineError } from "../Stage.ts"
import * as Stage from "../Stage.ts"

/** Per-call time limits: a default for every request, a tool's own value where it declares one, never above a cap. */
export interface TimeoutPolicy {
  readonly default: Duration.Input
  readonly max: Duration.Input
}

/**
 * Waits for `body`, which runs in a fiber of its own and has not finished yet, for up to `ms`, then `orElse` (`body`
 * interrupted first, as `Effect.timeoutOrElse` does). The clock's sleep (a test's clock included) races it in a
 * fiber of its own, started in `context`, and interrupted as soon as either side settles or the request is.
 */
const waitWithin = <A, E>(
  body: Fiber.Fiber<A, E>,
  context: Context.Context<never>,
  ms: number,
  orElse: () => Effect.Effect<A, E>
): Effect.Effect<A, E> =>
  Effect.callback<A, E>((resume) => {
    const sleeper = Effect.runForkWith(context)(Effect.sleep(ms))
    let settled = false
    body.addObserver((exit) => {
      if (settled) return
      settled = true
      sleeper.interruptUnsafe()
      resume(exit)
    })
    sleeper.addObserver((exit) => {
      if (settled || Exit.isFailure(exit)) return
      settled = true
      resume(Effect.andThen(Fiber.interrupt(body), orElse()))
    })
    // The request itself was interrupted: the sleep is not wanted any more (the body is interrupted by its stage).
    return Effect.sync(() => {
      settled = true
      sleeper.interruptUnsafe()
    })
  })

/**
 * The deadline stage for a policy. The rest of the chain runs in a fiber of its own, started at once with the
 * deadline in its context: when it has finished by the time it yields (every call of a tool that answers from
 * memory), its exit is the answer and no timer is set (`Effect.timeoutOrElse` would fork two fibers). The fiber is
 * started directly (`Effect.runForkWith`) rather than forked as a child, which costs the request several operations
 * of the run loop; the stage's exit hook, registered before it starts, interrupts it (and waits for it) when the
 * request ends before it does, as a child's would be (see `RunHook.ts`).
 */
export const deadline = (policy: TimeoutPolicy) => {
  const defaultMs = Duration.toMillis(Duration.fromInputUnsafe(policy.default))
  const maxMs = Duration.toMillis(Duration.fromInputUnsafe(policy.max))
  return Stage.make("deadline", "execute", (next) => {
    const limited: Stage.Handler = (call) => {
      const target = call.target
      const own = target._tag === "ToolCall" ? target.tool?.timeoutMs : undefined
      return withRunHook(
        (fiber): Begun<Fiber.Fiber<McpResult, PipelineError>, McpResult, PipelineError> => {
          const cap = fiber.getRef(TimeoutCap)
          const now = fiber.getRef(Clock.Clock).currentTimeMillisUnsafe()
          const ms = Math.min(own ?? defaultMs, maxMs, cap ?? maxMs)
          const context = Context.add(fiber.context, Deadline, { at: now + ms, timeoutMs: ms })
          const body = Effect.runForkWith(context)(next(call))
          const effect =
            body.pollUnsafe() ??
            waitWithin(body, context, ms, () =>
              target._tag === "ToolCall"
                ? Effect.succeed({
                    content: [text(`Tool "${target.name}" timed out after ${ms} ms; it may succeed if retried later.`)],
                    isError: true
                  })
                : Effect.fail(
                    new McpError({
                      code: ErrorCode.RequestTimeout,
                      message: `Request timed out after ${ms} ms`,
                      data: { requestId: call.requestId }
                    })
                  )
            )
          return { state: body, effect }
        },
        (body) => (body.pollUnsafe() !== undefined ? undefined : Fiber.interrupt(body))
      )
    }
    return limited
  })
}
