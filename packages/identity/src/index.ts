/**
 * `@bulwark/identity`: authentication at the HTTP edge for Bulwark: API keys, HMAC-signed requests and OAuth 2.1
 * bearer tokens (JWT), each switchable, several at once, in front of every MCP request.
 *
 * @since 0.1.0
 */

/** API keys: create (shown once), list, revoke, verify. */
export { ApiKeys, type CreatedApiKey } from "./ApiKeys.ts"
/** Core's `Authentication` port built from the configuration. */
export * as Authenticator from "./Authenticator.ts"
/** The first API key of a fresh installation. */
export { type BootstrapKey, type BootstrapOptions, ensureBootstrapKey } from "./Bootstrap.ts"
/** The 401/403/503 answers given at the edge. */
export * as Challenges from "./Challenges.ts"
/** What API keys and HMAC credentials share. */
export type { CredentialInfo, NewCredential } from "./Credential.ts"
/** Typed failures; none carries a secret. */
export {
  ApiKeyRejected,
  type ApiKeyRejection,
  CredentialNotFound,
  HmacRejected,
  type HmacRejection,
  HmacUnavailable,
  IdentityConfigError,
  IdentityStoreError,
  InvalidCredentialRequest,
  JwksUnavailable,
  ReplayCacheUnavailable,
  TokenRejected
} from "./errors.ts"
/** Throttling of failed authentication per client address (429 with Retry-After). */
export * as FailedLogins from "./FailedLogins.ts"
/** HMAC credentials: create (secret shown once, stored encrypted), list, revoke, resolve. */
export { type CreatedHmacCredential, HmacCredentials, type HmacKeyMaterial } from "./HmacCredentials.ts"
/** The HMAC signing scheme: canonical string, headers, and `signRequest` for clients. */
export {
  algorithm as hmacAlgorithm,
  bodyHash,
  canonicalString,
  HmacHeaders,
  pathAndQueryOf,
  type SignedParts,
  type SignRequestInput,
  signRequest
} from "./HmacSigning.ts"
/** The HMAC request check (skew window, signature, replay). */
export * as HmacVerifier from "./HmacVerifier.ts"
/** The identity section of the configuration. */
export {
  ApiKeysConfig,
  AsymmetricAlgorithm,
  FailedLoginsConfig,
  HmacConfig,
  IdentityConfig,
  OAuthConfig
} from "./IdentityConfig.ts"
/** The identity migrations (owner "identity"). */
export * as IdentityMigrations from "./IdentityMigrations.ts"
/** OAuth access-token (JWT) verification. */
export { JwtVerifier, scopesOf } from "./JwtVerifier.ts"
/** Credential text formats, and `generateApiKey` for preset keys. */
export { apiKeyPrefix, generateApiKey, type ParsedApiKey, parseApiKey } from "./KeyFormat.ts"
/** RFC 9728 protected-resource metadata: the document, its URL, and the routes serving it. */
export * as ProtectedResource from "./ProtectedResource.ts"
/** The HMAC replay cache, in memory or in Redis. */
export { ReplayCache } from "./ReplayCache.ts"
