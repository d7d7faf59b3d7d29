/**
 * Asking the client mid-call: a handler that needs an answer (elicitation, sampling, roots) fails with
 * `InputRequired`, the pipeline answers `input_required`, and the client retries with the answer. It is never an
 * error the agent sees; the framework always admits it.
 */
import { Data } from "effect"

/**
 * Raised inside a handler when it needs an answer from the client (elicitation, sampling, roots) that has not arrived
 * yet. The pipeline turns it into an `input_required` result; the client answers and retries the call, and the
 * handler runs again with the answer available. 2025-era clients are served the same way by the SDK's shim.
 */
export class InputRequired extends Data.TaggedError("InputRequired")<{
  /** The input requests, by the key that names each question across retries. */
  readonly requests: Readonly<Record<string, unknown>>
  /**
   * Answers of earlier rounds the handler already used, to carry to the next round in the sealed `requestState`
   * (clients send only the newest answers on each retry).
   */
  readonly answers?: Readonly<Record<string, unknown>>
}> {}
