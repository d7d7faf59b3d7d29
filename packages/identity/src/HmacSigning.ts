/**
 * The HMAC request-signing scheme, shared by clients (`signRequest`) and the server's verifier.
 *
 * Canonical string (lines joined by a single `\n`, no trailing newline):
 *
 * ```text
 * BULWARK-HMAC-SHA256
 * <key id>
 * <HTTP method, upper case>
 * <path and query: URL pathname + search, e.g. /mcp?x=1>
 * <timestamp: Unix seconds, decimal>
 * <SHA-256 of the raw body bytes, lowercase hex (of the empty string for no body)>
 * ```
 *
 * Signature: HMAC-SHA256 of that string's UTF-8 bytes, keyed by the UTF-8 bytes of the whole secret (`bwhs_...`),
 * lowercase hex, sent in `X-Bulwark-Signature` with `X-Bulwark-Key-Id` and `X-Bulwark-Timestamp`.
 *
 * @since 0.1.0
 */
import { Redacted } from "effect"
import { hmacSha256Hex, sha256Hex } from "./internal/crypto.ts"

/** The first line of every canonical string; names the scheme and its version. */
export const algorithm = "BULWARK-HMAC-SHA256"

/** The request headers of the scheme (lower case, as `Headers` reports them). */
export const HmacHeaders = {
  keyId: "x-bulwark-key-id",
  timestamp: "x-bulwark-timestamp",
  signature: "x-bulwark-signature"
} as const

/** The parts of a request that are signed. */
export interface SignedParts {
  readonly keyId: string
  readonly method: string
  /** `url.pathname + url.search` of the request URL (WHATWG URL parsing). */
  readonly pathAndQuery: string
  readonly timestamp: string
  readonly bodySha256Hex: string
}

/** The exact string that is signed. */
export const canonicalString = (parts: SignedParts): string =>
  [algorithm, parts.keyId, parts.method.toUpperCase(), parts.pathAndQuery, parts.timestamp, parts.bodySha256Hex].join(
    "\n"
  )

/** The path and query that are signed for a URL. */
export const pathAndQueryOf = (url: string | URL): string => {
  const parsed = new URL(url)
  return parsed.pathname + parsed.search
}

/** SHA-256 of a body (UTF-8 text or raw bytes) as lowercase hex. */
export const bodyHash = (body: string | Uint8Array): string => sha256Hex(body)

/** The signature of a canonical string under a secret, as lowercase hex. */
export const signature = (secret: Redacted.Redacted<string> | string, canonical: string): string =>
  hmacSha256Hex(typeof secret === "string" ? secret : Redacted.value(secret), canonical)

/** What `signRequest` needs. */
export interface SignRequestInput {
  readonly keyId: string
  readonly secret: Redacted.Redacted<string> | string
  readonly method: string
  /** The full request URL; its path and query are signed. */
  readonly url: string | URL
  /** The exact body bytes that will be sent (a string is taken as UTF-8); omit for none. */
  readonly body?: string | Uint8Array
  /** Unix seconds; the current time when omitted. */
  readonly timestamp?: number
}

/** The three headers to add to a request so that the server accepts it as signed by `keyId`. */
export const signRequest = (input: SignRequestInput): Record<string, string> => {
  const timestamp = String(input.timestamp ?? Math.floor(Date.now() / 1000))
  const canonical = canonicalString({
    keyId: input.keyId,
    method: input.method,
    pathAndQuery: pathAndQueryOf(input.url),
    timestamp,
    bodySha256Hex: bodyHash(input.body ?? "")
  })
  return {
    [HmacHeaders.keyId]: input.keyId,
    [HmacHeaders.timestamp]: timestamp,
    [HmacHeaders.signature]: signature(input.secret, canonical)
  }
}
