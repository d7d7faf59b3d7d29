/**
 * The request's deadline (`execute` phase): the tool's own timeout where it declares one, else the server's
 * default, never above the server's maximum or the cap an admission stage set (`TimeoutCap`). The rest of the
 * chain finds it in `Deadline`. A tool call that runs out becomes a tool error the agent can act on (and the
 * handler is interrupted); other requests get a JSON-RPC timeout error.
 */
import { Clock, Duration, Effect, Exit, Fiber } from "effect"
import { text } from "../../content/Content.ts"
import { ErrorCode, McpError } from "../../errors/McpError.ts"
import { Deadline, TimeoutCap } from "../Deadline.ts"
import * as Stage from "../Stage.ts"

/** Per-call time limits: a default for every request, a tool's own value where it declares one, never above a cap. */
export interface TimeoutPolicy {
  readonly default: Duration.Input
  readonly max: Duration.Input
}

/**
 * `body` with a limit of `ms`, or `orElse` once it runs out (`body` interrupted first, as `Effect.timeoutOrElse`
 * does). `timeoutOrElse` races two forked fibers; here the body starts in its own fiber at once and, when it has
 * finished by the time it yields (every call of a tool that answers from memory), its exit is the answer and no
 * timer is set. Otherwise the clock's sleep (a test's clock included) races it in a fiber of its own.
 * The body is the request's child (interrupted with it whenever it ends); the sleep is interrupted as soon as
 * either side settles, and both when the request is interrupted while it waits.
 */
const within = <A, E>(body: Effect.Effect<A, E>, ms: number, orElse: () => Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.flatMap(Effect.forkChild(body, { startImmediately: true }), (child) => {
    const done = child.pollUnsafe()
    if (done !== undefined) return done
    return Effect.flatMap(Effect.forkDetach(Effect.sleep(ms), { startImmediately: true }), (sleeper) =>
      Effect.callback<A, E>((resume) => {
        let settled = false
        child.addObserver((exit) => {
          if (settled) return
          settled = true
          sleeper.interruptUnsafe()
          resume(exit)
        })
        sleeper.addObserver((exit) => {
          if (settled || Exit.isFailure(exit)) return
          settled = true
          resume(Effect.andThen(Fiber.interrupt(child), orElse()))
        })
        // The request itself was interrupted: neither is wanted any more.
        return Effect.suspend(() => {
          settled = true
          return Fiber.interruptAll([sleeper, child])
        })
      })
    )
  })

/** The deadline stage for a policy. */
export const deadline = (policy: TimeoutPolicy) => {
  const defaultMs = Duration.toMillis(Duration.fromInputUnsafe(policy.default))
  const maxMs = Duration.toMillis(Duration.fromInputUnsafe(policy.max))
  return Stage.make("deadline", "execute", (next) => (call) => {
    const target = call.target
    const own = target._tag === "ToolCall" ? target.tool?.timeoutMs : undefined
    return Effect.withFiber((fiber) => {
      const cap = fiber.getRef(TimeoutCap)
      const now = fiber.getRef(Clock.Clock).currentTimeMillisUnsafe()
      const ms = Math.min(own ?? defaultMs, maxMs, cap ?? maxMs)
      return within(Effect.provideService(next(call), Deadline, { at: now + ms, timeoutMs: ms }), ms, () =>
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
    })
  })
}
