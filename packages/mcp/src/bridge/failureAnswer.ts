/**
 * What a failed pipeline run answers, on every transport: the JSON-RPC error the pipeline failed with and, for a
 * refused limit, the seconds the client should wait (HTTP adds `Retry-After` to the in-band error); a request shed at
 * capacity (`Overloaded`, where the transport admits inside the bridge: stdio) answers its own error. An interruption
 * has no answer: the client cancelled or went away, or the server is stopping.
 */
import { Admission, type Overloaded, type PipelineError, retryAfterSeconds } from "@bulwark/core"
import { Cause } from "effect"

/** The error to send for a failed run. */
export interface FailureAnswer {
  readonly code: number
  readonly message: string
  readonly data?: unknown
  /** Seconds until a refused limit may admit the request again (HTTP: `Retry-After`). */
  readonly retryAfter?: number
}

/** The answer to a failed run; undefined when it was interrupted. */
export const failureAnswer = (cause: Cause.Cause<PipelineError | Overloaded>): FailureAnswer | undefined => {
  const failure = Cause.findErrorOption(cause)
  if (failure._tag === "None") return undefined
  const error = failure.value
  if (error._tag === "Overloaded") {
    return {
      code: Admission.OVERLOADED_CODE,
      message: error.message,
      data: { retryAfterSeconds: error.retryAfterSeconds }
    }
  }
  const retryAfter = error._tag === "Refused" ? retryAfterSeconds(error) : undefined
  return {
    code: error.code,
    message: error.message,
    ...(error.data === undefined ? {} : { data: error.data }),
    ...(retryAfter === undefined ? {} : { retryAfter })
  }
}
