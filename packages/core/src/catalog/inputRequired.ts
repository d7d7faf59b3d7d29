/**
 * Answering a handler's `InputRequired` with an `input_required` result, and the allow-list of domain errors for
 * resource reads, prompts and completions (whose failures are JSON-RPC errors, not `isError` results).
 */
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

/**
 * Keeps a handler's declared domain errors as failures and answers its `InputRequired` with `input_required`;
 * anything else it failed with becomes a defect (an internal error for the client, its cause logged).
 */
export const admitDeclared =
  (declared: (error: unknown) => boolean, context: ToolContext) =>
  <A, R>(effect: Effect.Effect<A, unknown, R>): Effect.Effect<A | InputRequiredResult, DomainError, R> =>
    Effect.catch(effect, (error) =>
      error instanceof InputRequired
        ? toInputRequiredResult(error, context)
        : declared(error)
          ? Effect.fail(error as DomainError)
          : Effect.die(error)
    )

/** Keeps a completer's declared domain errors as failures; anything else becomes a defect. */
export const onlyDeclared =
  (declared: (error: unknown) => boolean) =>
  <A, R>(effect: Effect.Effect<A, unknown, R>): Effect.Effect<A, DomainError, R> =>
    Effect.catch(effect, (error) => (declared(error) ? Effect.fail(error as DomainError) : Effect.die(error)))
