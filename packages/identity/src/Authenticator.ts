/**
 * Core's `Authentication` port from the identity configuration: picks the method from the credentials a transport
 * received, verifies it, and refuses everything else before any MCP work.
 *
 * - `Authorization: Bearer bwk_...` or `X-Api-Key: bwk_...`: API key (when `apiKeys.enabled`).
 * - `Authorization: Bearer <other>`: OAuth access token (when `oauth.enabled`).
 * - `X-Bulwark-Key-Id` / `X-Bulwark-Timestamp` / `X-Bulwark-Signature`: HMAC-signed request (when `hmac.enabled`).
 * - Nothing: 401 with the challenge. Several credentials at once, another scheme, or a disabled method: 401.
 *
 * Every refused credential gets the same answer; the precise reason goes only to `AuthenticationRefused.reason`,
 * which names key ids and short codes, never a key, secret, token or signature.
 *
 * @since 0.1.0
 */
import { Authentication, AuthenticationRefused, type Credentials, type Principal } from "@bulwark/core"
import type { MigrationError, MigrationRegistry } from "@bulwark/database"
import type * as NodeRedis from "@effect/platform-node/NodeRedis"
import { Clock, Context, Effect, Layer, Redacted, Tracer } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import { ApiKeys } from "./ApiKeys.ts"
import * as Challenges from "./Challenges.ts"
import { IdentityConfigError } from "./errors.ts"
import { HmacCredentials } from "./HmacCredentials.ts"
import * as HmacVerifier from "./HmacVerifier.ts"
import type { IdentityConfig } from "./IdentityConfig.ts"
import { JwtVerifier } from "./JwtVerifier.ts"
import { apiKeyPrefix } from "./KeyFormat.ts"
import * as ProtectedResource from "./ProtectedResource.ts"
import { ReplayCache } from "./ReplayCache.ts"

type Credential =
  | { readonly _tag: "None" }
  | { readonly _tag: "Several" }
  | { readonly _tag: "OtherScheme" }
  | { readonly _tag: "ApiKey"; readonly key: Redacted.Redacted<string>; readonly via: "bearer" | "x-api-key" }
  | { readonly _tag: "Token"; readonly token: Redacted.Redacted<string> }
  | { readonly _tag: "Hmac" }

// RFC 6750 b64token after the scheme; the scheme name is case-insensitive.
const bearerPattern = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i

/** Which credential the request presents; at most one is allowed. */
/** Wraps a presented secret (see `presentedSecrets`). */
type Wrap = (secret: string) => Redacted.Redacted<string>

/**
 * The secrets presented lately, each wrapped once: a client presents the same key on every request, and a
 * `Redacted` is costly to make (effect registers each one in a `WeakMap`, which the collector must trace). Bounded:
 * emptied when full, so that a flood of made-up keys cannot grow it.
 */
const presentedSecrets = (capacity = 1024): Wrap => {
  const wrapped = new Map<string, Redacted.Redacted<string>>()
  return (secret) => {
    let redacted = wrapped.get(secret)
    if (redacted === undefined) {
      if (wrapped.size >= capacity) wrapped.clear()
      redacted = Redacted.make(secret)
      wrapped.set(secret, redacted)
    }
    return redacted
  }
}

/** On every request: no stack trace (capturing one costs more than the rest of the span). */
const NO_STACK_TRACE = { captureStackTrace: false } as const

const credentialOf = (credentials: Credentials, wrap: Wrap): Credential => {
  const authorization = credentials.headers.authorization
  const apiKey = credentials.headers["x-api-key"]
  const hmac = HmacVerifier.hasHmacHeaders(credentials)
  const presented = (authorization === undefined ? 0 : 1) + (apiKey === undefined ? 0 : 1) + (hmac ? 1 : 0)
  if (presented === 0) return { _tag: "None" }
  if (presented > 1) return { _tag: "Several" }
  if (apiKey !== undefined) return { _tag: "ApiKey", key: wrap(apiKey.trim()), via: "x-api-key" }
  if (hmac) return { _tag: "Hmac" }
  const bearer = bearerPattern.exec(authorization ?? "")?.[1]
  if (bearer === undefined) return { _tag: "OtherScheme" }
  return bearer.startsWith(apiKeyPrefix)
    ? { _tag: "ApiKey", key: wrap(bearer), via: "bearer" }
    : { _tag: "Token", token: Redacted.make(bearer) }
}

/** The Redis connection of the replay cache; the Redis client is loaded only when `redisUrl` is set. */
const redis = (url: string): ReturnType<typeof NodeRedis.layer> =>
  Layer.unwrap(
    Effect.map(
      Effect.promise(() => import("@effect/platform-node/NodeRedis")),
      (NodeRedis) => NodeRedis.layer({ url })
    )
  )

/** The `Authentication` port (and the credential services it uses) for a configuration. */
export type AuthenticatorServices = Authentication.Authentication | ApiKeys | HmacCredentials

/**
 * Provides core's `Authentication` port, plus `ApiKeys` and `HmacCredentials` for administration and bootstrap, on the
 * app's database. Fails to build when HMAC is enabled without a master key, when no method is enabled, or when Redis
 * cannot be reached.
 */
export const layer = (
  config: IdentityConfig
): Layer.Layer<AuthenticatorServices, IdentityConfigError | MigrationError, SqlClient | MigrationRegistry> => {
  const oauth = config.oauth?.enabled === true ? config.oauth : undefined
  const challenge: Challenges.ChallengeOptions = {
    bearer: config.apiKeys.enabled || oauth !== undefined,
    ...(oauth === undefined ? {} : { resourceMetadataUrl: ProtectedResource.metadataUrl(oauth) })
  }

  const replayCache =
    config.redisUrl === undefined
      ? ReplayCache.layerMemory
      : ReplayCache.layerRedis(config.redisKeyPrefix).pipe(
          Layer.provide(redis(Redacted.value(config.redisUrl))),
          Layer.catch(() =>
            Layer.effect(
              ReplayCache,
              Effect.fail(
                new IdentityConfigError({
                  message: "Cannot connect to Redis at redisUrl; check that it is running and that the URL is right."
                })
              )
            )
          )
        )

  const edge = Layer.effect(
    Authentication.Authentication,
    Effect.gen(function* () {
      const apiKeys = yield* ApiKeys
      const jwt = oauth === undefined ? undefined : yield* JwtVerifier.make(oauth)
      const hmac = config.hmac.enabled ? yield* HmacVerifier.make({ skew: config.hmac.skew }) : undefined
      // The answers are the same for every refusal of a kind: prepared once.
      const missing = Challenges.missingCredentials(challenge)
      const invalidAnswer = yield* Challenges.invalidCredentials(challenge)
      const unavailableAnswer = Challenges.unavailable()
      const scopeAnswer =
        oauth === undefined
          ? undefined
          : yield* Challenges.insufficientScope(oauth.requiredScopes ?? [], challenge.resourceMetadataUrl)

      const wrap = presentedSecrets()
      const refuse = (answer: Challenges.Answer, reason: string) =>
        Effect.fail(new AuthenticationRefused({ ...answer, reason }))
      const invalid = (reason: string) => refuse(invalidAnswer, reason)
      const unavailable = (reason: string) => refuse(unavailableAnswer, reason)

      const viaApiKey = (key: Redacted.Redacted<string>, via: string) =>
        apiKeys.verify(key).pipe(
          Effect.catchTags({
            ApiKeyRejected: (error) => invalid(`api-key (${via}): ${error.message}`),
            IdentityStoreError: (error) => unavailable(`api-key (${via}): ${error.message}`)
          })
        )

      const viaToken = (verifier: JwtVerifier["Service"], token: Redacted.Redacted<string>) =>
        verifier.verify(token).pipe(
          Effect.catchTags({
            TokenRejected: (error) => invalid(`oauth: ${error.message}`),
            JwksUnavailable: (error) => unavailable(`oauth: ${error.message}`)
          }),
          Effect.flatMap((principal) => {
            const required = oauth?.requiredScopes ?? []
            const missing = required.filter((scope) => !principal.scopes.includes(scope))
            return missing.length === 0 || scopeAnswer === undefined
              ? Effect.succeed(principal)
              : refuse(
                  scopeAnswer,
                  `oauth: token of ${principal.subject} (tenant ${principal.tenantId}) lacks scopes: ${missing.join(" ")}`
                )
          })
        )

      const viaHmac = (verify: HmacVerifier.HmacVerifier, credentials: Credentials) =>
        verify(credentials).pipe(
          Effect.catchTags({
            HmacRejected: (error) => invalid(`hmac: ${error.message}`),
            HmacUnavailable: (error) => unavailable(`hmac: ${error.message}`),
            IdentityStoreError: (error) => unavailable(`hmac: ${error.message}`),
            ReplayCacheUnavailable: (error) => unavailable(`hmac: ${error.message}`)
          })
        )

      const authenticate = (
        credential: Credential,
        credentials: Credentials
      ): Effect.Effect<Principal, AuthenticationRefused> => {
        switch (credential._tag) {
          case "None":
            return refuse(missing, "no credentials presented")
          case "Several":
            return invalid("several credentials presented at once")
          case "OtherScheme":
            return invalid("Authorization header is not a Bearer credential")
          case "ApiKey":
            return config.apiKeys.enabled
              ? viaApiKey(credential.key, credential.via)
              : invalid("api-key presented but API keys are disabled")
          case "Token":
            return jwt === undefined
              ? invalid("bearer token presented but OAuth is disabled")
              : viaToken(jwt, credential.token)
          case "Hmac":
            return hmac === undefined
              ? invalid("HMAC signature presented but HMAC is disabled")
              : viaHmac(hmac, credentials)
        }
      }

      /**
       * A key this instance verified within the last second, decided from memory: no span of its own (it would
       * time nothing), the method on the request's span instead, marked as decided from memory.
       */
      const recall = (credentials: Credentials, nowMs: number, span: Tracer.Span | undefined) => {
        if (!config.apiKeys.enabled) return undefined
        const credential = credentialOf(credentials, wrap)
        if (credential._tag !== "ApiKey") return undefined
        const principal = apiKeys.verifyKnown(credential.key, nowMs)
        if (principal !== undefined && span !== undefined) {
          span.attribute("identity.method", principal.method)
          span.attribute("identity.cached", true)
        }
        return principal
      }

      return Authentication.Authentication.of({
        authenticate: (credentials) =>
          Effect.withFiber((fiber) => {
            const span = Context.getOrUndefined(fiber.context, Tracer.ParentSpan)
            const now = fiber.getRef(Clock.Clock).currentTimeMillisUnsafe()
            const principal = recall(credentials, now, span?._tag === "Span" ? span : undefined)
            if (principal !== undefined) return Effect.succeed(principal)
            return authenticate(credentialOf(credentials, wrap), credentials).pipe(
              Effect.tap((principal) => Effect.annotateCurrentSpan("identity.method", principal.method)),
              Effect.withSpan("identity.authenticate", undefined, NO_STACK_TRACE)
            )
          }),
        recall
      })
    })
  )

  const problem =
    config.hmac.enabled && config.hmac.masterKey === undefined
      ? "hmac.enabled is true but hmac.masterKey is not set: HMAC secrets are stored encrypted under it. Set it to 32 random bytes, base64 (openssl rand -base64 32), or disable HMAC."
      : !config.apiKeys.enabled && !config.hmac.enabled && oauth === undefined
        ? "No authentication method is enabled (apiKeys, hmac, oauth): every request would be refused. Enable at least one."
        : undefined
  const configCheck =
    problem === undefined
      ? Layer.empty
      : Layer.effectDiscard(Effect.fail(new IdentityConfigError({ message: problem })))

  const verifiers = Layer.mergeAll(
    ApiKeys.layer,
    HmacCredentials.layer({ masterKey: config.hmac.masterKey }),
    config.hmac.enabled ? replayCache : ReplayCache.layerMemory
  )

  return edge.pipe(Layer.provideMerge(verifiers), Layer.provide(configCheck))
}
