/**
 * DNS-rebinding and cross-origin protection for every route of the public listener: the `Host` header must name an
 * allowed host (with no user information: `Host: a@b` is malformed, not a host named `b`), and an `Origin`, when a
 * browser sends one, an allowed origin. A malformed header is 400 Invalid Request, a foreign one 403 Forbidden, both
 * with a JSON-RPC error body, so that a page that rebinds a name to this server reads nothing from any route.
 */
import { validateHostHeader, validateOriginHeader } from "@modelcontextprotocol/server"
import { type Answer, jsonRpcError } from "./responses.ts"

/** A refused Host or Origin: the answer, and why (for the log and audit). */
export interface HostRefusal {
  readonly answer: Answer
  readonly reason: string
  readonly refusedBy: "host" | "origin"
}

const malformed = (refusedBy: "host" | "origin", message: string): HostRefusal => ({
  answer: jsonRpcError(400, -32600, `Bad Request: ${message}`),
  reason: message,
  refusedBy
})

const foreign = (refusedBy: "host" | "origin", message: string): HostRefusal => ({
  answer: jsonRpcError(403, -32000, `Forbidden: ${message}`),
  reason: message,
  refusedBy
})

/** The refusal of a request by its `Host` and `Origin` headers, or undefined when both pass. */
export const checkHostAndOrigin = (
  host: string | undefined,
  origin: string | undefined,
  allowedHosts: ReadonlyArray<string>,
  allowedOrigins: ReadonlyArray<string>
): HostRefusal | undefined => {
  if (host?.includes("@")) return malformed("host", "Invalid Host header: user information is not allowed")
  const hostCheck = validateHostHeader(host, [...allowedHosts])
  if (!hostCheck.ok) {
    return hostCheck.errorCode === "invalid_host"
      ? foreign("host", hostCheck.message)
      : malformed("host", hostCheck.message)
  }
  const originCheck = validateOriginHeader(origin, [...allowedOrigins])
  if (!originCheck.ok) {
    return originCheck.errorCode === "invalid_origin"
      ? foreign("origin", originCheck.message)
      : malformed("origin", originCheck.message)
  }
  return undefined
}
