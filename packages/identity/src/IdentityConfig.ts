/**
 * The identity section of Bulwark's configuration, as an Effect Schema the app decodes from its config file.
 *
 * @since 0.1.0
 */
import { withDefault } from "@bulwark/core"
import { Redacted, Schema } from "effect"

const isLoopback = (hostname: string) => hostname === "localhost" || hostname === "127.0.0.1" || hostname === "[::1]"

/** An absolute https URL (http only for localhost, as in development and tests), without fragment. */
const SecureUrl = Schema.NonEmptyString.check(
  Schema.makeFilter((text) => {
    let url: URL
    try {
      url = new URL(text)
    } catch {
      return "must be an absolute URL"
    }
    if (url.hash !== "") return "must not have a #fragment"
    if (url.protocol === "https:") return undefined
    if (url.protocol === "http:" && isLoopback(url.hostname)) return undefined
    return "must be an https:// URL (http:// only for localhost)"
  })
)

/** Signature algorithms a token may use: asymmetric only, so a public key can never be used as an HMAC secret. */
export const AsymmetricAlgorithm = Schema.Literals([
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519"
])

/** One of the accepted JWS algorithms. */
export type AsymmetricAlgorithm = typeof AsymmetricAlgorithm.Type

/** An OAuth scope token (RFC 6749 §3.3: printable ASCII without space, `"` and `\`). */
const ScopeToken = Schema.String.check(Schema.isPattern(/^[\x21\x23-\x5B\x5D-\x7E]+$/))

// Checked on the Redacted value so a failure message can never echo the key.
const MasterKey = Schema.RedactedFromValue(Schema.String).check(
  Schema.makeFilter((key) =>
    Buffer.from(Redacted.value(key), "base64").length === 32 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(Redacted.value(key))
      ? undefined
      : "must be 32 random bytes, base64-encoded (e.g. the output of `openssl rand -base64 32`)"
  )
)

/** API keys (`Authorization: Bearer bwk_...` or `X-Api-Key: bwk_...`). */
export const ApiKeysConfig = Schema.Struct({
  enabled: withDefault(Schema.Boolean, true)
})

/** HMAC-signed requests. */
export const HmacConfig = Schema.Struct({
  enabled: withDefault(Schema.Boolean, false),
  /** How far a request's timestamp may be from the server's clock, either way (e.g. "5 minutes"). */
  skew: withDefault(Schema.DurationFromString, "5 minutes"),
  /** Encrypts HMAC secrets at rest (AES-256-GCM): 32 random bytes, base64. HMAC is unavailable without it. */
  masterKey: Schema.optionalKey(MasterKey)
})

/** OAuth 2.1 bearer tokens (JWT), this server acting as a resource server. */
export const OAuthConfig = Schema.Struct({
  enabled: withDefault(Schema.Boolean, true),
  /** The authorization server's issuer identifier; tokens must carry exactly this `iss`. */
  issuer: SecureUrl,
  /** This server's resource URL (RFC 8707), e.g. `https://mcp.example.com/mcp`; tokens must carry it in `aud`. */
  audience: SecureUrl,
  /** Where the authorization server publishes its signing keys. */
  jwksUrl: SecureUrl,
  /** The claim naming the tenant (a non-empty string); tokens without it are refused. */
  tenantClaim: withDefault(Schema.NonEmptyString, "tenant_id"),
  /** Scopes every token must hold to use the MCP endpoint (403 `insufficient_scope` otherwise). */
  requiredScopes: withDefault(Schema.Array(ScopeToken), []),
  /** Accepted JWS algorithms; asymmetric only. */
  algorithms: withDefault(Schema.NonEmptyArray(AsymmetricAlgorithm), ["RS256", "ES256", "EdDSA"]),
  /** Human-readable name published in the protected-resource metadata. */
  resourceName: Schema.optionalKey(Schema.NonEmptyString)
})

/**
 * Throttling of failed authentication per client address: after `max` refused credentials within `per`, the address
 * is answered 429 with `Retry-After`, without its credential being looked at, until the window has passed. `max: 0`
 * turns it off. Behind a reverse proxy, name it in the server's `http.trustedProxies` so that its `X-Forwarded-For`
 * names the client (otherwise every client has the proxy's address).
 */
export const FailedLoginsConfig = Schema.Struct({
  max: withDefault(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)), 30),
  per: withDefault(Schema.DurationFromString, "1 minute")
})

/**
 * Authentication at the HTTP edge. Each method is switched on its own; several may be on at once. Decode with
 * `Schema.decodeUnknownEffect(IdentityConfig)`; every key except `oauth`'s URLs has a default.
 */
export const IdentityConfig = Schema.Struct({
  apiKeys: withDefault(ApiKeysConfig, {}),
  hmac: withDefault(HmacConfig, {}),
  oauth: Schema.optionalKey(OAuthConfig),
  failedLogins: withDefault(FailedLoginsConfig, {}),
  /** Shares the HMAC replay cache between instances (`redis://...`); in-process when unset. */
  redisUrl: Schema.optionalKey(Schema.RedactedFromValue(Schema.NonEmptyString)),
  /** Prefix of every Redis key this package writes. */
  redisKeyPrefix: withDefault(Schema.NonEmptyString, "bulwark:identity")
})

/** The decoded identity settings. */
export type IdentityConfig = typeof IdentityConfig.Type

/** The decoded OAuth settings. */
export type OAuthConfig = typeof OAuthConfig.Type

/** The decoded failed-login throttle settings. */
export type FailedLoginsConfig = typeof FailedLoginsConfig.Type

/** The decoded HMAC settings. */
export type HmacConfig = typeof HmacConfig.Type
