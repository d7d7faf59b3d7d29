/**
 * AES-256-GCM encryption of stored secrets under a key derived from the configured master key.
 *
 * Layout of a sealed value: version byte (1) || 12-byte random nonce || 16-byte tag || ciphertext. The record's key id
 * is bound as additional authenticated data, so a ciphertext copied onto another row does not decrypt.
 */
import crypto from "node:crypto"
import { Redacted, Result } from "effect"

const version = 1
const nonceBytes = 12
const tagBytes = 16

/** Seals and opens secrets. */
export interface SecretBox {
  readonly seal: (plaintext: Redacted.Redacted<string>, boundTo: string) => Buffer
  /** The plaintext, or an error when the value was tampered with, belongs to another row or another master key. */
  readonly open: (sealed: Uint8Array, boundTo: string) => Result.Result<Redacted.Redacted<string>, string>
}

/** A box keyed by HKDF-SHA256(masterKey, info "bulwark/identity/hmac-secrets/v1"). */
export const make = (masterKey: Redacted.Redacted<string>): SecretBox => {
  const key = Buffer.from(
    crypto.hkdfSync(
      "sha256",
      Buffer.from(Redacted.value(masterKey), "base64"),
      Buffer.alloc(0),
      "bulwark/identity/hmac-secrets/v1",
      32
    )
  )
  return {
    seal: (plaintext, boundTo) => {
      const nonce = crypto.randomBytes(nonceBytes)
      const cipher = crypto.createCipheriv("aes-256-gcm", key, nonce, { authTagLength: tagBytes })
      cipher.setAAD(Buffer.from(boundTo, "utf8"))
      const body = Buffer.concat([cipher.update(Redacted.value(plaintext), "utf8"), cipher.final()])
      return Buffer.concat([Buffer.of(version), nonce, cipher.getAuthTag(), body])
    },
    open: (sealed, boundTo) => {
      const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength)
      if (bytes.length < 1 + nonceBytes + tagBytes || bytes[0] !== version) {
        return Result.fail("unknown sealed-secret format")
      }
      const nonce = bytes.subarray(1, 1 + nonceBytes)
      const tag = bytes.subarray(1 + nonceBytes, 1 + nonceBytes + tagBytes)
      const body = bytes.subarray(1 + nonceBytes + tagBytes)
      try {
        const decipher = crypto.createDecipheriv("aes-256-gcm", key, nonce, { authTagLength: tagBytes })
        decipher.setAAD(Buffer.from(boundTo, "utf8"))
        decipher.setAuthTag(tag)
        const plaintext = Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8")
        return Result.succeed(Redacted.make(plaintext))
      } catch {
        return Result.fail("authentication of the sealed secret failed (another master key, or tampered data)")
      }
    }
  }
}
