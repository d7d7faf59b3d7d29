/**
 * The answer to a declared domain error of a resource read, prompt or completion: these have no `isError` result,
 * so the error is a JSON-RPC error carrying its message (a `ResourceNotFound` is -32002 with its URI).
 */
import { Effect } from "effect"
import { ErrorCode, McpError } from "../../errors/McpError.ts"
import type { DomainError } from "../../errors/ToolError.ts"

const toMcp = (error: DomainError): McpError =>
  error._tag === "ResourceNotFound"
    ? new McpError({
        code: ErrorCode.ResourceNotFound,
        message: error.message,
        // SEP-2164: the requested URI in `data` is how clients tell "not found" from other invalid params.
        ...("uri" in error && typeof error.uri === "string" ? { data: { uri: error.uri } } : {})
      })
    : new McpError({ code: ErrorCode.InvalidParams, message: error.message })

/** Answers a declared domain error as a JSON-RPC error. */
export const domainToMcp = <A, R>(effect: Effect.Effect<A, DomainError, R>): Effect.Effect<A, McpError, R> =>
  Effect.mapError(effect, toMcp)
