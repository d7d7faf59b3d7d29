/**
 * DNS-rebinding and cross-origin protection for every route of the public listener: the `Host` header must name an
 * allowed host (with no user information: `Host: a@b` is malformed, not a host named `b`), and an `Origin`, when a
 * browser sends one, an allowed origin. A malformed header is 400 Invalid Request, a foreign one 403 Forbidden, both
 * with a JSON-RPC error body, so that a page that rebinds a name to this server reads nothing from any route. A
 * repeated `Host` or `Authorization` header is 400 too: Node would keep the first and drop the rest without a word.
 */
import type { IncomingMessage } from "node:http"
import { validateHostHeader, validateOriginHeader } from "@modelcontextprotocol/server"
import { single } from "./node/nodeHeaders.ts"
import { type Answer, jsonRpcError } from "./responses.ts"

/** A refused Host or Origin (or a repeated header that must be single): the answer, and why (for log and audit). */
export interface HostRefusal {
  readonly answer: Answer
  readonly reason: string
  readonly refusedBy: "host" | "origin" | "authentication"
}

/** Headers that must appear once, and which Node would otherwise reduce to their first value without a word. */
const SINGLE: Readonly<Record<string, "host" | "authentication">> = { host: "host", authorization: "authentication" }

/**
 * The refusal of a request that repeats `Host` (RFC 9112: 400) or `Authorization` (which credential is meant?), from
 * Node's raw header list (name, value, name, value, ...); undefined when neither is repeated.
 */
export const checkRepeated = (rawHeaders: ReadonlyArray<string>): HostRefusal | undefined => {
  let host = 0
  let authorization = 0
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const raw = rawHeaders[i]!
    // Only names of the two lengths can be either: the rest are not lower-cased (this runs on every request).
    if (raw.length !== 4 && raw.length !== 13) continue
    const name = raw.toLowerCase()
    if (name === "host") host++
    else if (name === "authorization") authorization++
  }
  const repeated = host > 1 ? "host" : authorization > 1 ? "authorization" : undefined
  if (repeated === undefined) return undefined
  const header = repeated === "host" ? "Host" : "Authorization"
  return malformed(SINGLE[repeated] ?? "host", `more than one ${header} header`)
}

const malformed = (refusedBy: HostRefusal["refusedBy"], message: string): HostRefusal => ({
  answer: jsonRpcError(400, -32600, `Bad Request: ${message}`),
  reason: message,
  refusedBy
})

const foreign = (refusedBy: "host" | "origin", message: string): HostRefusal => ({
  answer: jsonRpcError(403, -32000, `Forbidden: ${message}`),
  reason: message,
  refusedBy
})

/**
 * Host and Origin pairs that passed, per pair of allow-lists: a client sends the same pair on every request, and
 * checking one parses the host as a URL. Bounded: emptied when full, so that made-up hosts cannot grow it.
 */
const passed = new WeakMap<
  ReadonlyArray<string>,
  { readonly origins: ReadonlyArray<string>; readonly pairs: Set<string> }
>()

const MAX_PASSED = 256

/** The refusal of a request by its `Host` and `Origin` headers, or undefined when both pass. */
export const checkHostAndOrigin = (
  host: string | undefined,
  origin: string | undefined,
  allowedHosts: ReadonlyArray<string>,
  allowedOrigins: ReadonlyArray<string>
): HostRefusal | undefined => {
  let known = passed.get(allowedHosts)
  if (known === undefined || known.origins !== allowedOrigins) {
    known = { origins: allowedOrigins, pairs: new Set() }
    passed.set(allowedHosts, known)
  }
  const pair = origin === undefined ? (host ?? "") : `${host ?? ""}\n${origin}`
  if (host !== undefined && known.pairs.has(pair)) return undefined
  const refusal = checkPair(host, origin, allowedHosts, allowedOrigins)
  if (refusal === undefined && host !== undefined) {
    if (known.pairs.size >= MAX_PASSED) known.pairs.clear()
    known.pairs.add(pair)
  }
  return refusal
}

const checkPair = (
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

/** The refusal of a Node request's `Host`, `Origin` or repeated headers, on any route (and on a WebSocket upgrade). */
export const checkNodeRequest = (
  request: IncomingMessage,
  allowedHosts: ReadonlyArray<string>,
  allowedOrigins: ReadonlyArray<string>
): HostRefusal | undefined =>
  checkRepeated(request.rawHeaders) ??
  checkHostAndOrigin(single(request.headers.host), single(request.headers.origin), allowedHosts, allowedOrigins)
