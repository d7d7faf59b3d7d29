/**
 * Token buckets in this process, decided at once: what the rate guard uses when the limits are not shared
 * (`RateLimits.layerMemory`), so that a request takes its token without an effect. The arithmetic is that of
 * effect's in-memory `RateLimiter` store (`effect/persistence`), which can only be asked inside an effect: a bucket
 * holds `limit` tokens, one comes back every `refillMs`, a request takes one or is told when the next comes back.
 *
 * @since 0.1.0
 */
import { Context, Layer } from "effect"

/** A bucket's decision: `0` lets the request through, a positive number is how long (ms) until a token is back. */
export type Wait = number

/** The buckets of this process. */
export interface TokenBucketsShape {
  /** Takes one token from the bucket `key` (made full on first use), at `now` (ms). */
  readonly take: (key: string, limit: number, refillMs: number, now: number) => Wait
}

interface Bucket {
  tokens: number
  lastRefill: number
}

/** Makes an empty set of buckets. */
export const make = (): TokenBucketsShape => {
  const buckets = new Map<string, Bucket>()
  return {
    take: (key, limit, refillMs, now) => {
      let bucket = buckets.get(key)
      if (bucket === undefined) {
        bucket = { tokens: limit, lastRefill: now }
        buckets.set(key, bucket)
      }
      const refilled = Math.floor((now - bucket.lastRefill) / refillMs)
      if (refilled > 0) {
        bucket.tokens = Math.min(limit, bucket.tokens + refilled)
        bucket.lastRefill += refilled * refillMs
      }
      if (bucket.tokens >= limit) bucket.lastRefill = now
      const left = bucket.tokens - 1
      if (left >= 0) {
        bucket.tokens = left
        return 0
      }
      return Math.max(Number.MIN_VALUE, Math.ceil(-left) * refillMs - Math.max(0, now - bucket.lastRefill))
    }
  }
}

/** The buckets of this process, for the rate guard. */
export class TokenBuckets extends Context.Service<TokenBuckets, TokenBucketsShape>()("@bulwark/tenancy/TokenBuckets") {}

/** Provides the buckets. */
export const layer: Layer.Layer<TokenBuckets> = Layer.sync(TokenBuckets, make)
