/**
 * Rate limits as token buckets: in this process by default (`TokenBuckets`, decided at once, beside effect's
 * in-memory `RateLimiter` for the other limits of the app), shared by every instance through Redis when configured
 * (effect's `RateLimiter` in `effect/persistence`, whose Redis store runs each decision as one Lua script).
 *
 * @since 0.1.0
 */
import { Duration, Effect, Layer } from "effect"
import { RateLimiter } from "effect/persistence"
import type { Redis } from "effect/persistence/Redis"
import type { Rate } from "./TenantConfig.ts"
import * as TokenBuckets from "./TokenBuckets.ts"

/** The limiters in this process only: the rate guard's buckets, and a `RateLimiter` for the app's other limits. */
export const layerMemory: Layer.Layer<RateLimiter.RateLimiter | TokenBuckets.TokenBuckets> = Layer.merge(
  RateLimiter.layer.pipe(Layer.provide(RateLimiter.layerStoreMemory)),
  TokenBuckets.layer
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

/** A rate's bucket under `key`: the rate's numbers are part of it, so a changed rate starts a fresh bucket at once. */
const bucketKey = (key: string, rate: Rate, perMs: number, burst: number) =>
  `${key}:${rate.requests}/${perMs}ms/${burst}`

/**
 * Takes one request from `rate` under `key`. The bucket holds `burst` (default `requests`) and refills one request
 * every `per / requests`.
 */
export const take = (limiter: RateLimiter.RateLimiter, key: string, rate: Rate): Effect.Effect<Decision> => {
  const perMs = Duration.toMillis(rate.per)
  const burst = rate.burst ?? rate.requests
  return limiter
    .consume({
      algorithm: "token-bucket",
      onExceeded: "fail",
      key: bucketKey(key, rate, perMs, burst),
      limit: burst,
      window: Duration.millis((perMs * burst) / rate.requests)
    })
    .pipe(
      Effect.as<Decision>({ _tag: "Allowed" }),
      Effect.catch((error) =>
        Effect.succeed<Decision>(
          error.reason._tag === "RateLimitExceeded"
            ? { _tag: "Exceeded", retryAfterMs: Math.max(1, Math.ceil(Duration.toMillis(error.reason.retryAfter))) }
            : { _tag: "StoreFailed", error }
        )
      )
    )
}

/** A rate's bucket: its key's suffix, size and refill time, computed once per rate as effect's limiter does. */
interface BucketOf {
  readonly suffix: string
  readonly limit: number
  readonly refillMs: number
  /** The full keys made from the limiter keys this rate was taken under (bounded). */
  readonly keys: Map<string, string>
}

const bucketsOf = new WeakMap<Rate, BucketOf>()

const bucketOf = (rate: Rate): BucketOf => {
  let bucket = bucketsOf.get(rate)
  if (bucket === undefined) {
    const perMs = Duration.toMillis(rate.per)
    const burst = rate.burst ?? rate.requests
    const window = Duration.max(Duration.millis((perMs * burst) / rate.requests), Duration.millis(1))
    bucket = {
      suffix: bucketKey("", rate, perMs, burst),
      limit: burst,
      refillMs: Duration.toMillis(Duration.divideUnsafe(window, burst)),
      keys: new Map()
    }
    bucketsOf.set(rate, bucket)
  }
  return bucket
}

/**
 * The same decision from the buckets of this process, at once, at `now` (ms): `0` lets the request through, else
 * how long until it may retry (whole ms).
 */
export const takeAt = (buckets: TokenBuckets.TokenBucketsShape, key: string, rate: Rate, now: number): number => {
  const bucket = bucketOf(rate)
  let full = bucket.keys.get(key)
  if (full === undefined) {
    full = key + bucket.suffix
    if (bucket.keys.size >= 1000) bucket.keys.clear()
    bucket.keys.set(key, full)
  }
  const wait = buckets.take(full, bucket.limit, bucket.refillMs, now)
  return wait === 0 ? 0 : Math.max(1, Math.ceil(wait))
}
