/**
 * The request's deadline (`execute` phase): the tool's own timeout where it declares one, else the server's
 * default, never above the server's maximum or the cap an admission stage set (`TimeoutCap`). The rest of the
 * chain finds it in `Deadline`. A tool call that runs out becomes a tool error the agent can act on (and the
 * handler is interrupted); other requests get a JSON-RPC timeout error.
 */
import { Clock, Duration, Effect } from "effect"
import { text } from "../../content/Content.ts"
import { ErrorCode, McpError } from "../../errors/McpError.ts"
import { Deadline, TimeoutCap } from "../Deadline.ts"
import * as Stage from "../Stage.ts"

/** Per-call time limits: a default for every request, a tool's own value where it declares one, never above a cap. */
export interface TimeoutPolicy {
  readonly default: Duration.Input
  readonly max: Duration.Input
}

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
      return Effect.timeoutOrElse(Effect.provideService(next(call), Deadline, { at: now + ms, timeoutMs: ms }), {
        duration: Duration.millis(ms),
        orElse: () =>
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
      })
    })
  })
}
