import type { InputRequests, InputRequiredResult } from "@modelcontextprotocol/server"
import { inputRequired } from "@modelcontextprotocol/server"
import { Effect } from "effect"
import { InputRequired } from "../errors/InputRequired.ts"
import type { DomainError } from "../errors/ToolError.ts"
import { carriedState, type ToolContext } from "../tool/ToolContext.ts"

/**
 * Turns a handler's request for input into the `input_required` result. When the transport can seal state, the
 * result carries the answers the handler already used in a `requestState`, so they are available again on the retry.
 */
export const toInputRequiredResult = (
  error: InputRequired,
  context: ToolContext
): Effect.Effect<InputRequiredResult> => {
  const inputRequests = error.requests as InputRequests
  const mint = context.call.request.mintRequestState
  if (mint === undefined) return Effect.succeed(inputRequired({ inputRequests }))
  return Effect.map(
    Effect.promise(() => mint(carriedState(context.call, error.answers ?? {}))),
    (requestState) => inputRequired({ inputRequests, requestState })
  )
}

/** Answers a handler's `InputRequired` with an `input_required` result; other failures pass through. */
export const catchInputRequired =
  (context: ToolContext) =>
  <A, E extends DomainError, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A | InputRequiredResult, E, R> =>
    Effect.catchIf(
      effect,
      (error): error is E & InputRequired => error instanceof InputRequired,
      (error) => toInputRequiredResult(error, context)
    )
