/**
 * The admin bearer token check: `Authorization: Bearer <token>`, compared in constant time. Both sides are hashed
 * with SHA-256 first, so the comparison takes the same time whatever the presented length, and the token itself is
 * only ever held as its hash and inside a `Redacted`.
 *
 * @since 0.1.0
 */
import { createHash, timingSafeEqual } from "node:crypto"
import { Redacted } from "effect"

const sha256 = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest()

// RFC 6750 b64token after a case-insensitive scheme name.
const bearerPattern = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i

/** Tells whether an `Authorization` header value presents the admin token. */
export type TokenCheck = (authorization: string | undefined) => boolean

/**
 * A check against `token`. A missing or malformed header is compared too (as an empty token), so that every request
 * does the same hashing and comparison.
 */
export const makeCheck = (token: Redacted.Redacted<string>): TokenCheck => {
  const expected = sha256(Redacted.value(token))
  return (authorization) => {
    const presented = bearerPattern.exec(authorization ?? "")?.[1]
    const matches = timingSafeEqual(sha256(presented ?? ""), expected)
    return presented !== undefined && matches
  }
}
