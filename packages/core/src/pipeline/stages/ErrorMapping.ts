import { Cause, Effect } from "effect"
import { ErrorCode, McpError } from "../../errors/McpError.ts"
import * as Stage from "../Stage.ts"

/**
 * Turns anything unexpected (a defect, a thrown exception in a handler) into a JSON-RPC internal error that carries
 * only the request id, and logs the full cause. Nothing internal reaches the client.
 */
export const errorMapping = Stage.make(
  "error-mapping",
  (next) => (call) =>
    next(call).pipe(
      Effect.catchCause((cause) => {
        const expected = Cause.findErrorOption(cause)
        if (expected._tag === "Some" && !Cause.hasDies(cause)) return Effect.fail(expected.value)
        if (Cause.hasInterruptsOnly(cause)) return Effect.interrupt
        return Effect.logError("unexpected failure while serving the request", cause).pipe(
          Effect.andThen(
            Effect.fail(
              new McpError({
                code: ErrorCode.InternalError,
                message: `Internal error (request id ${call.requestId})`,
                data: { requestId: call.requestId }
              })
            )
          )
        )
      })
    )
)
