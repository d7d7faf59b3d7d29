import type { CallState } from "../request/CurrentCall.ts"
import { ErrorCode, McpError } from "./McpError.ts"

/** Which limit refused a request, and when trying again makes sense. */
export interface LimitDetails {
  /** e.g. `tenant rate`, `tool rate: create_ticket`, `daily quota`, `concurrency`. */
  readonly limit: string
  readonly retryAfterMs: number
}

/**
 * Refuses the request in a guard stage: records which stage refused it (for the audit log) and, for limits, asks the
 * HTTP edge for 429 with `Retry-After`.
 */
export const reject = (call: CallState, stage: string, error: McpError): McpError => {
  call.rejectedBy = stage
  if (error.code === ErrorCode.LimitExceeded && call.request.edge !== undefined) {
    const details = error.data as Partial<LimitDetails> | undefined
    call.request.edge.status = 429
    if (details?.retryAfterMs !== undefined) {
      call.request.edge.headers["retry-after"] = String(Math.max(1, Math.ceil(details.retryAfterMs / 1000)))
    }
  }
  return error
}

/** The error for a request over a limit: names the limit and says when to retry. */
export const limitExceeded = (details: LimitDetails): McpError =>
  new McpError({
    code: ErrorCode.LimitExceeded,
    message: `Limit exceeded (${details.limit}); retry after ${Math.max(1, Math.ceil(details.retryAfterMs / 1000))} s`,
    data: details
  })

/** The error for a request the principal may not make. */
export const forbidden = (message: string): McpError => new McpError({ code: ErrorCode.Forbidden, message })
