/**
 * Rate limits on effect's `RateLimiter` (`effect/persistence`), as token buckets: in this process by default, shared
 * by every instance through Redis when configured (its store runs each decision as one Lua script).
 *
 * @since 0.1.0
 */
import { Duration, Effect, Layer } from "effect"
import { RateLimiter } from "effect/persistence"
import type { Redis } from "effect/persistence/Redis"
import type { Rate } from "./TenantConfig.ts"

/** The limiter in this process only. */
export const layerMemory: Layer.Layer<RateLimiter.RateLimiter> = RateLimiter.layer.pipe(
  Layer.provide(RateLimiter.layerStoreMemory)
)

/** The default prefix of rate-limit keys in Redis. */
export const defaultRedisPrefix = "bulwark:ratelimit:"

/** The limiter shared through Redis (give it `NodeRedis.layer(...)`); keys start with `prefix`. */
export const layerRedis = (
  options: { readonly prefix?: string } = {}
): Layer.Layer<RateLimiter.RateLimiter, never, Redis> =>
  RateLimiter.layer.pipe(Layer.provide(RateLimiter.layerStoreRedis({ prefix: options.prefix ?? defaultRedisPrefix })))

/** The outcome of taking one request from a rate. */
export type Decision =
  | { readonly _tag: "Allowed" }
  | { readonly _tag: "Exceeded"; readonly retryAfterMs: number }
  | { readonly _tag: "StoreFailed"; readonly error: RateLimiter.RateLimiterError }

/**
 * Takes one request from `rate` under `key`. The bucket holds `burst` (default `requests`) and refills one request
 * every `per / requests`. The rate's numbers are part of the key, so a changed rate starts a fresh bucket at once.
 */
export const take = (limiter: RateLimiter.RateLimiter, key: string, rate: Rate): Effect.Effect<Decision> => {
  const perMs = Duration.toMillis(rate.per)
  const burst = rate.burst ?? rate.requests
  return limiter
    .consume({
      algorithm: "token-bucket",
      onExceeded: "fail",
      key: `${key}:${rate.requests}/${perMs}ms/${burst}`,
      limit: burst,
      window: Duration.millis((perMs * burst) / rate.requests)
    })
    .pipe(
      Effect.as<Decision>({ _tag: "Allowed" }),
      Effect.catch((error) =>
        Effect.succeed<Decision>(
          error.reason._tag === "RateLimitExceeded"
            ? { _tag: "Exceeded", retryAfterMs: Math.max(1, Duration.toMillis(error.reason.retryAfter)) }
            : { _tag: "StoreFailed", error }
        )
      )
    )
}
