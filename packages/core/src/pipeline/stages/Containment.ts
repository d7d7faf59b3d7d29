/**
 * Containment, the `resolve` phase's own stage: turns anything unexpected (a defect, an error a handler let
 * through that it did not declare, a thrown exception) into a JSON-RPC internal error that carries only the request
 * id, and logs the full cause. Nothing internal reaches the client. A backend that is unavailable for a moment (a
 * lost connection, a database shutting down, a deadlock; see `Unavailable.ts`) is answered "unavailable, retry" with
 * the request id instead, and logged as a warning.
 */
import { Cause, Effect } from "effect"
import { internalError } from "../../errors/McpError.ts"
import { isTransient, unavailable } from "../../errors/Unavailable.ts"
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
        if (isTransient(Cause.squash(cause))) {
          return Effect.logWarning("a backend was unavailable while serving the request", cause).pipe(
            Effect.andThen(Effect.fail(unavailable(call.requestId)))
          )
        }
        return Effect.logError("unexpected failure while serving the request", cause).pipe(
          Effect.andThen(Effect.fail(internalError(call.requestId)))
        )
      })
    )
)
