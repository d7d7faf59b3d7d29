/**
 * How a request ended, in one vocabulary that logs, metrics and the audit log share:
 *
 * - `success`: a result;
 * - `tool_error`: a tool result with `isError` (a declared domain error, invalid arguments, a tool's timeout);
 * - `input_required`: the handler asked the client for more input;
 * - `rejected`: a stage refused it (`Refused`), or the HTTP edge did;
 * - `protocol_error`: a JSON-RPC error caused by the request (unknown method, invalid params, ...);
 * - `internal_error`: something unexpected, or a backend unavailable for a moment; the client got an internal (or
 *   unavailable) error with the request id;
 * - `cancelled`: the client cancelled or went away, and the work was interrupted.
 */
import { Cause, Exit } from "effect"
import { ErrorCode } from "../errors/McpError.ts"
import { UNAVAILABLE_CODE } from "../errors/Unavailable.ts"
import type { McpResult } from "../request/McpRequest.ts"
import type { PipelineError } from "./Stage.ts"

/** Every outcome, in a fixed order. */
export const outcomes = [
  "success",
  "tool_error",
  "input_required",
  "rejected",
  "protocol_error",
  "internal_error",
  "cancelled"
] as const

/** How a request ended. */
export type Outcome = (typeof outcomes)[number]

/** Tells whether a string is an outcome. */
export const isOutcome = (value: string): value is Outcome => (outcomes as ReadonlyArray<string>).includes(value)

/** How a finished request ended, the JSON-RPC error code it was answered with, and the refusing stage. */
export interface Ending {
  readonly outcome: Outcome
  readonly errorCode: number | null
  readonly refusedBy: string | null
}

/** Classifies the end of a request. */
export const endingOf = (exit: Exit.Exit<McpResult, PipelineError>): Ending => {
  if (Exit.isSuccess(exit)) {
    const result = exit.value
    const outcome =
      result.isError === true ? "tool_error" : result.resultType === "input_required" ? "input_required" : "success"
    return { outcome, errorCode: null, refusedBy: null }
  }
  const failure = Cause.findErrorOption(exit.cause)
  if (failure._tag === "Some" && !Cause.hasDies(exit.cause)) {
    const error = failure.value
    if (error._tag === "Refused") return { outcome: "rejected", errorCode: error.code, refusedBy: error.by }
    const outcome =
      error.code === ErrorCode.InternalError || error.code === UNAVAILABLE_CODE ? "internal_error" : "protocol_error"
    return { outcome, errorCode: error.code, refusedBy: null }
  }
  if (Cause.hasInterruptsOnly(exit.cause)) return { outcome: "cancelled", errorCode: null, refusedBy: null }
  return { outcome: "internal_error", errorCode: ErrorCode.InternalError, refusedBy: null }
}

/** The outcome of a finished request. */
export const outcomeOf = (exit: Exit.Exit<McpResult, PipelineError>): Outcome => endingOf(exit).outcome
