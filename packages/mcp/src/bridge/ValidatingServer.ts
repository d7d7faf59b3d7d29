/**
 * The SDK's `Server`, with one correction at the seam where it validates a request's params against the protocol's
 * schemas: the SDK reports a failed validation of a spec method (`resources/read` with `uri: null`, `initialize`
 * without `clientInfo`, `logging/setLevel` with an unknown level, ...) as a plain error, which reaches the client as
 * -32603 "Internal error" with the validator's issue list as the message. Here it is what JSON-RPC says it is:
 * -32602 Invalid params, with a message naming the fields, never the validator's internals.
 */
import {
  type JSONRPCRequest,
  ProtocolError,
  ProtocolErrorCode,
  type Result,
  Server,
  type ServerContext
} from "@modelcontextprotocol/server"
import { Predicate } from "effect"

/** A registered request handler, as the SDK wraps it. */
type Handler = (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result>

/** One issue of the validator's list, as much of it as is read. */
interface Issue {
  readonly path: ReadonlyArray<string | number>
  readonly message: string
}

const isIssue = (value: unknown): value is Issue =>
  Predicate.isObject(value) && Array.isArray(value.path) && typeof value.message === "string"

/** The issues a validation error's message lists, or undefined when the message is not such a list. */
const issuesOf = (message: string): ReadonlyArray<Issue> | undefined => {
  if (!message.startsWith("[")) return undefined
  try {
    const parsed: unknown = JSON.parse(message)
    return Array.isArray(parsed) && parsed.length > 0 && parsed.every(isIssue) ? parsed : undefined
  } catch {
    return undefined
  }
}

/** `uri: expected string, received null`: the field's path under `params`, and what was wrong with it. */
const describe = (issue: Issue): string => {
  const path = issue.path[0] === "params" ? issue.path.slice(1) : issue.path
  const field = path.length === 0 ? "params" : path.join(".")
  return `${field}: ${issue.message.replace(/^Invalid input: /, "")}`
}

/** The -32602 error for a failed params validation of `method`, naming at most three fields. */
export const invalidParams = (method: string, issues: ReadonlyArray<Issue>): ProtocolError => {
  const named = issues.slice(0, 3).map(describe)
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : ""
  return new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid params for ${method}: ${named.join("; ")}${more}`)
}

/** The SDK's `Server`, answering params that fail the protocol's schemas with -32602 Invalid params. */
export class ValidatingServer extends Server {
  protected override _wrapHandler(method: string, handler: Handler): Handler {
    // The SDK's validating handler throws synchronously: the call is inside the `try`, not chained.
    const checked: Handler = async (request, ctx) => {
      try {
        return await handler(request, ctx)
      } catch (error) {
        if (error instanceof ProtocolError || !(error instanceof Error)) throw error
        const issues = issuesOf(error.message)
        throw issues === undefined ? error : invalidParams(method, issues)
      }
    }
    return super._wrapHandler(method, checked)
  }
}
