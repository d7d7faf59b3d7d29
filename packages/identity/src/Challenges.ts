/**
 * The answers given to refused requests, as plain data (status, headers, body) for any transport to send. They say
 * only "unauthorized", "forbidden" or "unavailable", plus the challenge a client needs to authenticate; never why a
 * credential failed.
 *
 * Bearer failures use the SDK's `bearerAuthChallengeResponse` (RFC 6750 `invalid_token` / `insufficient_scope`
 * with `resource_metadata`), read once when the authenticator is built. A request without credentials gets a
 * challenge without an error code (RFC 6750 §3.1), which that helper cannot produce, so it is built here.
 *
 * @since 0.1.0
 */
import { bearerAuthChallengeResponse, OAuthError, OAuthErrorCode } from "@modelcontextprotocol/server"
import { Effect } from "effect"

/** What a refused request is answered with. */
export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** The JSON-RPC error body used for refusals outside the Bearer scheme. */
const jsonRpcError = (status: number, message: string, headers: Record<string, string>): Answer => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message }, id: null })
})

/** A web `Response` as plain data (read once, when an answer is prepared). */
const fromResponse = (response: Response): Effect.Effect<Answer> =>
  Effect.map(
    Effect.promise(() => response.text()),
    (body) => {
      const headers: Record<string, string> = {}
      response.headers.forEach((value, name) => {
        headers[name] = value
      })
      return { status: response.status, headers, body }
    }
  )

/** Which challenge a server issues, from what is enabled. */
export interface ChallengeOptions {
  /** RFC 9728 metadata URL (when OAuth is on). */
  readonly resourceMetadataUrl?: string
  /** Whether the Bearer scheme is accepted at all (OAuth tokens or API keys). */
  readonly bearer: boolean
}

/** The `WWW-Authenticate` value for a request that presented no credentials. */
export const challenge = (options: ChallengeOptions): string => {
  if (!options.bearer) return `Bulwark-HMAC-SHA256 realm="bulwark"`
  return options.resourceMetadataUrl === undefined
    ? `Bearer realm="bulwark"`
    : `Bearer resource_metadata="${options.resourceMetadataUrl.replaceAll(/[\\"]/g, "")}"`
}

/** 401 for a request without credentials. */
export const missingCredentials = (options: ChallengeOptions): Answer =>
  jsonRpcError(401, "Unauthorized", { "www-authenticate": challenge(options) })

/** 401 for a presented credential that was not accepted (unknown, wrong, revoked, expired: all alike). */
export const invalidCredentials = (options: ChallengeOptions): Effect.Effect<Answer> =>
  options.bearer
    ? fromResponse(
        bearerAuthChallengeResponse(new OAuthError(OAuthErrorCode.InvalidToken, "Invalid credentials"), {
          ...(options.resourceMetadataUrl === undefined ? {} : { resourceMetadataUrl: options.resourceMetadataUrl })
        })
      )
    : Effect.succeed(jsonRpcError(401, "Unauthorized", { "www-authenticate": challenge(options) }))

/** 403 for a valid token without the scopes the endpoint requires; names the scopes to ask for. */
export const insufficientScope = (
  requiredScopes: ReadonlyArray<string>,
  resourceMetadataUrl?: string
): Effect.Effect<Answer> =>
  fromResponse(
    bearerAuthChallengeResponse(new OAuthError(OAuthErrorCode.InsufficientScope, "Insufficient scope"), {
      requiredScopes: [...requiredScopes],
      ...(resourceMetadataUrl === undefined ? {} : { resourceMetadataUrl })
    })
  )

/** 503 when a credential cannot be checked right now (database, Redis or JWKS unreachable): fail closed. */
export const unavailable = (): Answer => jsonRpcError(503, "Service temporarily unavailable", { "retry-after": "5" })
