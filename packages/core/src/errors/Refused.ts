/**
 * A request refused by a stage of the pipeline (tenancy, authorization, a rate limit, a quota, a concurrency limit):
 * a typed failure that names the stage, so that logs, metrics and the audit log tell a refusal from a broken request,
 * and the HTTP edge can answer a refused limit with 429 and `Retry-After`. It reaches the client as a JSON-RPC error.
 */
import { Data } from "effect"
import { ErrorCode, type McpError } from "./McpError.ts"

/** Which limit refused a request, and when trying again makes sense. */
export interface LimitDetails {
  /** e.g. `tenant rate`, `tool rate: create_ticket`, `daily quota`, `concurrency`. */
  readonly limit: string
  readonly retryAfterMs: number
}

/** The request was refused by the stage `by`; `code`, `message` and `data` are what the client is told. */
export class Refused extends Data.TaggedError("Refused")<{
  /** The refusing stage's name, as the audit log records it. */
  readonly by: string
  readonly code: number
  readonly message: string
  readonly data?: unknown
}> {}

/**
 * Makes a refusal without a stack trace: a refusal is an answer, not a bug, and capturing the stack is most of what
 * making an error costs (it matters when a limit refuses thousands of requests a second).
 */
const refusal = (fields: ConstructorParameters<typeof Refused>[0]): Refused => {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return new Refused(fields)
  } finally {
    Error.stackTraceLimit = limit
  }
}

/** Refuses a request with the answer `error` would give (e.g. "not found" for what the principal may not see). */
export const refusedAs = (by: string, error: McpError): Refused =>
  refusal({ by, code: error.code, message: error.message, data: error.data })

/** Refuses a request the principal may not make. */
export const forbidden = (by: string, message: string): Refused => refusal({ by, code: ErrorCode.Forbidden, message })

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000))

/** Refuses a request over a limit: names the limit and says when to retry. */
export const limitExceeded = (by: string, details: LimitDetails): Refused =>
  refusal({
    by,
    code: ErrorCode.LimitExceeded,
    message: `Limit exceeded (${details.limit}); retry after ${seconds(details.retryAfterMs)} s`,
    data: details
  })

/** The `Retry-After` seconds a refusal asks for, when it refused a limit. */
export const retryAfterSeconds = (refused: Refused): number | undefined => {
  if (refused.code !== ErrorCode.LimitExceeded) return undefined
  const details = refused.data as Partial<LimitDetails> | undefined
  return typeof details?.retryAfterMs === "number" ? seconds(details.retryAfterMs) : undefined
}
