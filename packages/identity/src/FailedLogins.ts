/**
 * Throttling failed authentication per client address, in front of core's `Authentication` port: every refused
 * credential (a 401) takes one token from its address's budget of `max` per `per`; an address whose budget is spent
 * is answered 429 with `Retry-After` before its credential is even looked at (no key lookup, no signature check), so
 * that guessing keys costs the guesser time, not the server. Other addresses are not affected, and a request with a
 * valid credential from an address that never failed never waits.
 *
 * The budgets live in effect's `RateLimiter` (`effect/persistence`): in this process, or in Redis when the
 * composition shares its limits there, so that every instance counts the same address's failures. Only a failure
 * touches the store: whether an address is throttled is remembered in this process, from the store's answer to its
 * last failure, so that a request with a valid credential costs one map lookup and no round trip (another instance
 * learns of a throttled address at its next failure there). A store that cannot be reached throttles nobody
 * (authentication itself still runs). Counted in `bulwark_authentication_failures_total` and
 * `bulwark_authentication_throttled_total`, for alerting.
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

/** How many throttled addresses a process remembers at most (past it, expired ones are dropped, then all). */
const MAX_REMEMBERED = 10_000

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
      // Both series exist from the start (at zero): an alert on a rate of 401s must tell "none" from "not exported".
      yield* Metric.update(failures, 0)
      yield* Metric.update(throttled, 0)
      if (config.max === 0) return inner
      const limiter = yield* RateLimiter.RateLimiter
      /** Throttled addresses, each until when (epoch milliseconds), as the store said at their last failure. */
      const throttledUntil = new Map<string, number>()

      /** Remembers that `address` is throttled for `millis`; the map stays bounded (expired entries go first). */
      const remember = (address: string, now: number, millis: number) => {
        if (throttledUntil.size >= MAX_REMEMBERED) {
          for (const [known, until] of throttledUntil) if (until <= now) throttledUntil.delete(known)
          if (throttledUntil.size >= MAX_REMEMBERED) throttledUntil.clear()
        }
        throttledUntil.set(address, now + Math.max(1000, millis))
      }

      /** Takes one token for a failure; when that spends the address's budget, the address is throttled. */
      const failed = (address: string, now: number) =>
        Metric.update(failures, 1).pipe(
          Effect.andThen(limiter.consume({ key: `failed-logins:${address}`, limit: config.max, window: config.per })),
          Effect.tap((result) =>
            result.remaining <= 0
              ? Effect.sync(() => remember(address, now, Duration.toMillis(result.resetAfter)))
              : Effect.void
          ),
          Effect.catchReason("RateLimiterError", "RateLimitExceeded", (exceeded) =>
            Effect.sync(() => remember(address, now, Duration.toMillis(exceeded.retryAfter)))
          ),
          Effect.ignore
        )

      /** A refusal for the credential (401) counts against the address. */
      const counted = (credentials: Credentials, address: string) =>
        inner
          .authenticate(credentials)
          .pipe(
            Effect.tapError((refused) =>
              refused.status === 401
                ? Effect.clockWith((clock) => failed(address, clock.currentTimeMillisUnsafe()))
                : Effect.void
            )
          )

      const authenticate = (credentials: Credentials) => {
        const address = credentials.clientAddress
        if (address === undefined) return inner.authenticate(credentials)
        // An address that is not throttled (nearly every request) needs no clock until it fails.
        if (!throttledUntil.has(address)) return counted(credentials, address)
        return Effect.clockWith((clock) => {
          const now = clock.currentTimeMillisUnsafe()
          const until = throttledUntil.get(address)
          if (until !== undefined) {
            if (now < until) {
              return Effect.andThen(
                Metric.update(throttled, 1),
                Effect.fail(throttledRefusal(Math.ceil((until - now) / 1000), config))
              )
            }
            throttledUntil.delete(address)
          }
          return counted(credentials, address)
        })
      }
      // A throttled address is refused by `authenticate`, never recalled.
      const recall = inner.recall
      return Authentication.Authentication.of(
        recall === undefined
          ? { authenticate }
          : {
              authenticate,
              recall: (credentials, nowMs, span) => {
                const address = credentials.clientAddress
                return address !== undefined && throttledUntil.has(address)
                  ? undefined
                  : recall(credentials, nowMs, span)
              }
            }
      )
    })
  )
