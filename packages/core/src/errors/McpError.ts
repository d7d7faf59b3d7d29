/**
 * Protocol-level failures: what a request that gets no result answers with, as a JSON-RPC error. `McpError` is the
 * error a method or stage raises when the request itself is wrong (unknown method, invalid params, timeout); a
 * refusal by a guard is a {@link Refused} (see `Refused.ts`), which answers the same way but says who refused.
 */
import { Data } from "effect"

/** JSON-RPC error codes Bulwark answers with (MCP reuses JSON-RPC's and adds its own). */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  RequestTimeout: -32001,
  ResourceNotFound: -32002,
  /** The principal may not use this tool, resource or prompt, or it is switched off. */
  Forbidden: -32003,
  /** A rate limit, quota or concurrency limit refused the request; `data` names the limit and when to retry. */
  LimitExceeded: -32029
} as const

/** A protocol-level failure: answered as a JSON-RPC error, never as a tool result. */
export class McpError extends Data.TaggedError("McpError")<{
  readonly code: number
  readonly message: string
  readonly data?: unknown
}> {}

/** Builds the protocol error for a request whose params do not fit what the method expects. */
export const invalidParams = (message: string, data?: unknown): McpError =>
  new McpError(
    data === undefined ? { code: ErrorCode.InvalidParams, message } : { code: ErrorCode.InvalidParams, message, data }
  )

/** The error for anything unexpected: carries only the request id; the full cause goes to the log. */
export const internalError = (requestId: string): McpError =>
  new McpError({
    code: ErrorCode.InternalError,
    message: `Internal error (request id ${requestId})`,
    data: { requestId }
  })

/** The error for a resource URI that names nothing (SEP-2164: the URI in `data` tells it from other bad params). */
export const resourceNotFound = (uri: string): McpError =>
  new McpError({ code: ErrorCode.ResourceNotFound, message: `Resource not found: ${uri}`, data: { uri } })
