import { Data } from "effect"

/**
 * Raised inside a handler when it needs an answer from the client (elicitation or sampling) that has not arrived yet.
 * The pipeline turns it into an `input_required` result; the client answers and retries the call, and the handler
 * runs again with the answer available. 2025-era clients are served the same way by the SDK's shim.
 */
export class InputRequired extends Data.TaggedError("InputRequired")<{
  readonly requests: Readonly<Record<string, unknown>>
}> {}
