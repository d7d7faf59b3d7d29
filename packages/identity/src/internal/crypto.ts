/**
 * Small cryptographic helpers over `node:crypto`. The module object is used through its default export (not named
 * imports) so that a test can observe, without replacing, that comparisons go through `timingSafeEqual`.
 */
import crypto from "node:crypto"

/** `bytes` random bytes, base64url-encoded without padding (32 bytes give 43 characters, 256 bits). */
export const randomToken = (bytes: number): string => crypto.randomBytes(bytes).toString("base64url")

/** `bytes` random bytes as lowercase hex. */
export const randomHex = (bytes: number): string => crypto.randomBytes(bytes).toString("hex")

/** SHA-256 of a UTF-8 string or of bytes (the one-shot `crypto.hash`: no Hash object per call, on every request). */
export const sha256 = (data: string | Uint8Array): Buffer => crypto.hash("sha256", data, "buffer")

/** SHA-256 as lowercase hex. */
export const sha256Hex = (data: string | Uint8Array): string => crypto.hash("sha256", data, "hex")

/** HMAC-SHA256 of a UTF-8 string under `key`, as lowercase hex. */
export const hmacSha256Hex = (key: string | Uint8Array, data: string): string =>
  crypto.createHmac("sha256", key).update(data, "utf8").digest("hex")

/**
 * Compares two byte strings in time that depends only on their lengths (`crypto.timingSafeEqual`). Different lengths
 * compare `a` with itself, so that the same work is done, and answer false.
 */
export const constantTimeEquals = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) {
    crypto.timingSafeEqual(a, a)
    return false
  }
  return crypto.timingSafeEqual(a, b)
}
