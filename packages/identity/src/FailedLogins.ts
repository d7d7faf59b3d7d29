/**
 * Throttling failed authentication per client address, in front of core's `Authentication` port: every refused
 * credential (a 401) takes one token from its address's budget of `max` per `per`; an address whose budget is spent
 * is answered 429 with `Retry-After` before its credential is even looked at (no key lookup, no signature check), so
 * that guessing keys costs the guesser time, not the server. Other addresses are not affected, and a request with a
 * valid credential from an address that never failed never waits.
 *
 * The budgets live in effect's `RateLimiter` (`effect/persistence`): in this process, or in Redis when the
 * composition shares its limits there, so that every instance throttles the same address. A store that cannot be
 * reached throttles nobody (authentication itself still runs). Counted in `bulwark_authentication_failures_total`
 * and `bulwark_authentication_throttled_total`, for alerting.
 *
 * @since 0.1.0
 */
import { Authentication, AuthenticationRefused, type Credentials } from "@bulwark/core"
import { Duration, Effect, Layer, Metric } from "effect"
import { RateLimiter } from "effect/persistence"
import type { FailedLoginsConfig } from "./IdentityConfig.ts"

/** `bulwark_authentication_failures_total`: credentials refused at the edge (401). */
export const failures: Metric.Counter<number> = Metric.counter("bulwark_authentication_failures_total", {
  description: "Credentials refused at the edge (401)",
  incremental: true
})

/** `bulwark_authentication_throttled_total`: requests refused (429) because their address failed too often. */
export const throttled: Metric.Counter<number> = Metric.counter("bulwark_authentication_throttled_total", {
  description: "Requests refused with 429 because their address had too many failed authentications",
  incremental: true
})

/** The JSON-RPC error code of a throttled address (the limit code, as rate limits answer). */
const LIMIT_CODE = -32029

/** The 429 answer, naming when to retry. */
const throttledRefusal = (retryAfterSeconds: number, config: FailedLoginsConfig): AuthenticationRefused =>
  new AuthenticationRefused({
    status: 429,
    headers: { "content-type": "application/json", "retry-after": String(retryAfterSeconds) },
    body: JSON.stringify({
      jsonrpc: "2.0",
      error: {
        code: LIMIT_CODE,
        message: `Too many failed authentication attempts from this address; retry after ${retryAfterSeconds} s`,
        data: { retryAfterSeconds }
      },
      id: null
    }),
    reason: `address throttled: ${config.max} failed authentications within ${Duration.format(config.per)}`,
    throttled: true
  })

/**
 * Throttles the `Authentication` port in context by client address (see the module's description); with `max: 0`,
 * or for credentials without an address (stdio, in-process), it changes nothing.
 */
export const layer = (
  config: FailedLoginsConfig
): Layer.Layer<Authentication.Authentication, never, Authentication.Authentication | RateLimiter.RateLimiter> =>
  Layer.effect(
    Authentication.Authentication,
    Effect.gen(function* () {
      const inner = yield* Authentication.Authentication
      if (config.max === 0) return inner
      const limiter = yield* RateLimiter.RateLimiter
      const budget = (address: string, tokens: number) =>
        limiter.consume({ key: `failed-logins:${address}`, limit: config.max, window: config.per, tokens })

      /** Seconds until the address may try again; 0 when it may now. A store failure throttles nobody. */
      const waitFor = (address: string): Effect.Effect<number> =>
        budget(address, 0).pipe(
          Effect.map((result) =>
            result.remaining > 0 ? 0 : Math.max(1, Math.ceil(Duration.toMillis(result.resetAfter) / 1000))
          ),
          Effect.catch(() => Effect.succeed(0))
        )

      const failed = (address: string) =>
        Effect.andThen(Metric.update(failures, 1), budget(address, 1).pipe(Effect.ignore))

      const authenticate = (credentials: Credentials) => {
        const address = credentials.clientAddress
        if (address === undefined) return inner.authenticate(credentials)
        return Effect.flatMap(waitFor(address), (seconds) =>
          seconds > 0
            ? Effect.andThen(Metric.update(throttled, 1), Effect.fail(throttledRefusal(seconds, config)))
            : inner
                .authenticate(credentials)
                .pipe(Effect.tapError((refused) => (refused.status === 401 ? failed(address) : Effect.void)))
        )
      }
      return Authentication.Authentication.of({ authenticate })
    })
  )
