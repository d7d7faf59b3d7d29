/**
 * Serving the pipeline over this process's stdin/stdout until stdin closes. stdio has no credentials of its own: the
 * connection asks core's `Authentication` port once, as any transport does, and acts as the principal it answers
 * (the bundled server gives it `Authentication.fixed` with the configured stdio principal). A request the client
 * cancels (`notifications/cancelled`) is interrupted. Nothing but protocol is written to stdout: keep logs on stderr
 * (the JSON logger does).
 */
import { Admission, Authentication, type Pipeline } from "@bulwark/core"
import { Data, Effect, Option, type Scope } from "effect"
import { makeServerFactory, type ServerIdentity } from "../bridge/ServerFactory.ts"
import * as Connection from "../connection/Connection.ts"
import { ClientSinks } from "../notify/ClientSinks.ts"

/** Why a stdio connection could not start: authentication refused it. */
export class StdioRefused extends Data.TaggedError("StdioRefused")<{ readonly reason: string }> {
  override get message() {
    return `the stdio connection was refused: ${this.reason}`
  }
}

/** Serves the pipeline on stdin/stdout until stdin closes. */
export const serve = (
  identity: ServerIdentity
): Effect.Effect<void, StdioRefused, Pipeline.Pipeline | ClientSinks | Scope.Scope> =>
  Effect.gen(function* () {
    const authentication = yield* Effect.serviceOption(Authentication.Authentication)
    const principal = Option.isNone(authentication)
      ? undefined
      : yield* authentication.value
          .authenticate({ transport: "stdio", method: "", path: "", headers: {}, body: "" })
          .pipe(Effect.mapError((refused) => new StdioRefused({ reason: refused.reason })))
    // Load shedding applies to stdio's requests too: past capacity, a request is answered with a JSON-RPC error.
    const admission = yield* Effect.serviceOption(Admission.Admission)
    const factory = yield* makeServerFactory(identity, Option.isSome(admission) ? { admission: admission.value } : {})
    const runLog = Effect.runForkWith(yield* Effect.context<never>())
    const sinks = yield* ClientSinks
    yield* Effect.acquireRelease(
      Effect.sync(() =>
        Connection.open({
          factory,
          sinks,
          principal,
          onError: (error) => runLog(Effect.logDebug("stdio transport reported", error.message))
        })
      ),
      (connection) => Effect.promise(() => connection.close())
    )
    yield* Effect.callback<void>((resume) => {
      const done = () => resume(Effect.void)
      process.stdin.once("end", done)
      process.stdin.once("close", done)
      return Effect.sync(() => {
        process.stdin.off("end", done)
        process.stdin.off("close", done)
      })
    })
  })
