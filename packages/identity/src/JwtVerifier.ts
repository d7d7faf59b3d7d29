/**
 * OAuth 2.1 access tokens (JWT) for this server as a resource server: signature by a key from the authorization
 * server's JWKS (fetched, cached and refreshed by `jose`'s `createRemoteJWKSet`), `iss`, `aud` = this server's
 * resource URL (RFC 8707), `exp` required, algorithms from an asymmetric-only allow-list, tenant from a configured
 * claim, scopes from `scope` or `scp`.
 *
 * @since 0.1.0
 */
import type { Principal } from "@bulwark/core"
import { Context, Effect, Layer, Redacted } from "effect"
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose"
import { JwksUnavailable, TokenRejected } from "./errors.ts"
import type { OAuthConfig } from "./IdentityConfig.ts"

/** Why a token failed, as a short code without any token content. */
const rejectionOf = (error: unknown): TokenRejected | JwksUnavailable => {
  if (error instanceof errors.JWTExpired) return new TokenRejected({ reason: "expired" })
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new TokenRejected({ reason: `claim-${error.reason}:${error.claim}` })
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new TokenRejected({ reason: "alg-not-allowed" })
  if (error instanceof errors.JWKSNoMatchingKey) return new TokenRejected({ reason: "no-matching-key" })
  if (error instanceof errors.JWKSMultipleMatchingKeys) return new TokenRejected({ reason: "ambiguous-key" })
  if (error instanceof errors.JWSSignatureVerificationFailed) return new TokenRejected({ reason: "bad-signature" })
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return new TokenRejected({ reason: "malformed" })
  }
  if (error instanceof errors.JOSENotSupported) return new TokenRejected({ reason: "not-supported" })
  if (error instanceof errors.JWKSTimeout) return new JwksUnavailable({ message: "The JWKS endpoint timed out." })
  if (error instanceof errors.JWKSInvalid) {
    return new JwksUnavailable({ message: "The JWKS endpoint returned an invalid key set." })
  }
  if (error instanceof errors.JOSEError) return new JwksUnavailable({ message: `JWKS problem: ${error.code}` })
  return new JwksUnavailable({ message: "The JWKS endpoint could not be reached." })
}

/** Scopes from `scope` (space-separated, RFC 8693/9068) or `scp` (array or space-separated string). */
export const scopesOf = (payload: JWTPayload): ReadonlyArray<string> => {
  const words = (value: unknown): ReadonlyArray<string> =>
    typeof value === "string"
      ? value.split(" ").filter((scope) => scope !== "")
      : Array.isArray(value)
        ? value.filter((scope): scope is string => typeof scope === "string" && scope !== "")
        : []
  return payload.scope !== undefined ? words(payload.scope) : words(payload.scp)
}

/** Verifies bearer tokens into principals. */
export class JwtVerifier extends Context.Service<
  JwtVerifier,
  {
    /** The principal of a valid token, a rejection, or `JwksUnavailable` when keys cannot be fetched. */
    readonly verify: (token: Redacted.Redacted<string>) => Effect.Effect<Principal, TokenRejected | JwksUnavailable>
  }
>()("@bulwark/identity/JwtVerifier") {
  /** A verifier for one authorization server and this resource (keys fetched lazily, on the first token). */
  static readonly make = (config: OAuthConfig): Effect.Effect<JwtVerifier["Service"]> =>
    Effect.sync(() => {
      const jwks = createRemoteJWKSet(new URL(config.jwksUrl), {
        timeoutDuration: 5_000,
        cooldownDuration: 30_000,
        cacheMaxAge: 10 * 60_000
      })
      const verify = Effect.fn("JwtVerifier.verify")(function* (token: Redacted.Redacted<string>) {
        const { payload } = yield* Effect.tryPromise({
          try: () =>
            jwtVerify(Redacted.value(token), jwks, {
              issuer: config.issuer,
              audience: config.audience,
              algorithms: [...config.algorithms],
              requiredClaims: ["exp"]
            }),
          catch: rejectionOf
        })
        const tenant = payload[config.tenantClaim]
        if (typeof tenant !== "string" || tenant === "") {
          return yield* new TokenRejected({ reason: `claim-missing:${config.tenantClaim}` })
        }
        const subject = [payload.sub, payload.client_id, payload.azp].find(
          (value): value is string => typeof value === "string" && value !== ""
        )
        if (subject === undefined) return yield* new TokenRejected({ reason: "claim-missing:sub" })
        const principal: Principal = { tenantId: tenant, subject, scopes: scopesOf(payload), method: "oauth" }
        return principal
      })
      return JwtVerifier.of({ verify })
    })

  /** `make` as a layer. */
  static readonly layer = (config: OAuthConfig): Layer.Layer<JwtVerifier> =>
    Layer.effect(JwtVerifier, JwtVerifier.make(config))
}
