/**
 * Containment, the `resolve` phase's own stage: turns anything unexpected (a defect, an error a handler let
 * through that it did not declare, a thrown exception) into a JSON-RPC internal error that carries only the request
 * id, and logs the full cause. Nothing internal reaches the client.
 */
import { Cause, Effect } from "effect"
import { internalError } from "../../errors/McpError.ts"
import * as Stage from "../Stage.ts"

/** The containment stage. */
export const containment = Stage.make(
  "containment",
  "resolve",
  (next) => (call) =>
    next(call).pipe(
      Effect.catchCause((cause) => {
        const expected = Cause.findErrorOption(cause)
        if (expected._tag === "Some" && !Cause.hasDies(cause)) return Effect.fail(expected.value)
        if (Cause.hasInterruptsOnly(cause)) return Effect.interrupt
        return Effect.logError("unexpected failure while serving the request", cause).pipe(
          Effect.andThen(Effect.fail(internalError(call.requestId)))
        )
      })
    )
)
