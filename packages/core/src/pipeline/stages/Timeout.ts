import { Duration, Effect } from "effect"
import { text } from "../../content/Content.ts"
import { ErrorCode, McpError } from "../../errors/McpError.ts"
import * as Stage from "../Stage.ts"

/** Per-call time limits: a default for every request, a tool's own value where it declares one, never above a cap. */
export interface TimeoutPolicy {
  readonly default: Duration.Input
  readonly max: Duration.Input
}

/**
 * Bounds each request by its time limit. A tool call that runs out becomes a tool error the agent can act on (and
 * the handler is interrupted); other requests get a JSON-RPC timeout error.
 */
export const timeout = (policy: TimeoutPolicy) => {
  const defaultMs = Duration.toMillis(Duration.fromInputUnsafe(policy.default))
  const maxMs = Duration.toMillis(Duration.fromInputUnsafe(policy.max))
  return Stage.make("timeout", (next) => (call) => {
    const ms = Math.min(call.timeoutMs ?? defaultMs, maxMs, call.timeoutCapMs ?? maxMs)
    call.timeoutMs = ms
    return Effect.timeoutOrElse(next(call), {
      duration: Duration.millis(ms),
      orElse: () =>
        call.request.method === "tools/call"
          ? Effect.succeed({
              content: [text(`Tool "${call.target}" timed out after ${ms} ms; it may succeed if retried later.`)],
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
}
