/**
 * The textual formats of credentials. Every credential starts with a recognizable prefix (for secret scanners and
 * for routing at the edge) followed by its key id, which is public and is how the server finds the stored record.
 *
 * - API key: `bwk_<keyId>_<secret>`: key id 16 lowercase hex characters, secret 43 base64url characters (256 bits).
 * - HMAC key id: `bwh_<16 hex>`; HMAC secret: `bwhs_<43 base64url>`.
 *
 * @since 0.1.0
 */
import { Redacted } from "effect"
import { randomHex, randomToken } from "./internal/crypto.ts"

/** Every API key starts with this. */
export const apiKeyPrefix = "bwk_"

const apiKeyPattern = /^bwk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/
const hmacKeyIdPattern = /^bwh_[0-9a-f]{16}$/

/** The parts of a well-formed API key. */
export interface ParsedApiKey {
  readonly keyId: string
  readonly secret: string
}

/** Splits a presented API key into key id and secret, or undefined when it is not a well-formed key. */
export const parseApiKey = (key: string): ParsedApiKey | undefined => {
  const match = apiKeyPattern.exec(key)
  return match === null ? undefined : { keyId: match[1]!, secret: match[2]! }
}

/** A fresh random API key (key id and 256-bit secret), e.g. to preset `BULWARK_API_KEY`. */
export const generateApiKey = (): { readonly keyId: string; readonly key: Redacted.Redacted<string> } => {
  const keyId = randomHex(8)
  return { keyId, key: Redacted.make(`${apiKeyPrefix}${keyId}_${randomToken(32)}`) }
}

/** A fresh HMAC key id. */
export const generateHmacKeyId = (): string => `bwh_${randomHex(8)}`

/** A fresh HMAC secret (256 bits); the HMAC key is the UTF-8 bytes of this whole string. */
export const generateHmacSecret = (): Redacted.Redacted<string> => Redacted.make(`bwhs_${randomToken(32)}`)

/** Whether `keyId` has the shape of an HMAC key id. */
export const isHmacKeyId = (keyId: string): boolean => hmacKeyIdPattern.test(keyId)
