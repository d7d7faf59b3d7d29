/**
 * The typed failures of `@bulwark/identity`. None of them carries a secret: messages name key ids, tenants and
 * reasons, never keys, secrets, tokens or signatures.
 *
 * @since 0.1.0
 */
import { Data } from "effect"

/** Why a presented API key was not accepted. */
export type ApiKeyRejection = "malformed" | "unknown" | "wrong-secret" | "revoked" | "expired"

/** A presented API key was refused. The client only ever learns "unauthorized"; `reason` is for logs. */
export class ApiKeyRejected extends Data.TaggedError("ApiKeyRejected")<{
  readonly reason: ApiKeyRejection
  /** The key id from the key's visible prefix, when the key was well-formed. */
  readonly keyId?: string
}> {
  override get message() {
    return `API key rejected: ${this.reason}${this.keyId === undefined ? "" : ` (key ${this.keyId})`}`
  }
}

/** Why an HMAC-signed request was not accepted. */
export type HmacRejection = "malformed" | "stale" | "unknown" | "revoked" | "expired" | "bad-signature" | "replayed"

/** An HMAC-signed request was refused. */
export class HmacRejected extends Data.TaggedError("HmacRejected")<{
  readonly reason: HmacRejection
  readonly keyId?: string
}> {
  override get message() {
    return `HMAC signature rejected: ${this.reason}${this.keyId === undefined ? "" : ` (key ${this.keyId})`}`
  }
}

/** An OAuth bearer token (JWT) was refused; `reason` is a short code such as `expired` or `claim-invalid:aud`. */
export class TokenRejected extends Data.TaggedError("TokenRejected")<{
  readonly reason: string
}> {
  override get message() {
    return `Access token rejected: ${this.reason}`
  }
}

/** HMAC credentials cannot be created or verified: no `hmac.masterKey` is configured. */
export class HmacUnavailable extends Data.TaggedError("HmacUnavailable")<{}> {
  override get message() {
    return "HMAC credentials need hmac.masterKey (32 random bytes, base64) in the identity configuration."
  }
}

/** A request to create a credential does not make sense (empty tenant or name, expiry in the past, bad preset key). */
export class InvalidCredentialRequest extends Data.TaggedError("InvalidCredentialRequest")<{
  readonly message: string
}> {}

/** No credential with this key id exists. */
export class CredentialNotFound extends Data.TaggedError("CredentialNotFound")<{
  readonly keyId: string
}> {
  override get message() {
    return `No credential with key id ${this.keyId}`
  }
}

/**
 * The credential store (PostgreSQL) failed, or a stored secret could not be decrypted. `cause` is the underlying
 * error, kept for diagnostics; it never holds a secret (queries bind hashes and ciphertexts, not plaintext).
 */
export class IdentityStoreError extends Data.TaggedError("IdentityStoreError")<{
  readonly operation: string
  readonly message: string
  readonly cause?: unknown
}> {}

/** The shared replay cache (Redis) could not be reached; HMAC requests are refused until it answers again. */
export class ReplayCacheUnavailable extends Data.TaggedError("ReplayCacheUnavailable")<{
  readonly message: string
}> {}

/** The OAuth provider's JWKS could not be fetched; tokens cannot be checked until it answers again. */
export class JwksUnavailable extends Data.TaggedError("JwksUnavailable")<{
  readonly message: string
}> {}

/** The identity configuration cannot work as given (e.g. HMAC enabled without a master key, Redis unreachable). */
export class IdentityConfigError extends Data.TaggedError("IdentityConfigError")<{
  readonly message: string
}> {}
