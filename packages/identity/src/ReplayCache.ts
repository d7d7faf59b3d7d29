/**
 * Remembers the signatures already accepted, so that a captured signed request cannot be sent again while its
 * timestamp is inside the skew window. In memory (per instance) by default; in Redis (`SET key NX PX`) to share it
 * between instances.
 *
 * @since 0.1.0
 */
import { Clock, Context, Duration, Effect, Layer } from "effect"
import { Redis } from "effect/persistence/Redis"
import { ReplayCacheUnavailable } from "./errors.ts"

/** How long a request waits for Redis before it is refused with 503. */
export const answerWithin = Duration.seconds(2)

/** Records one-time values for a while. */
export class ReplayCache extends Context.Service<
  ReplayCache,
  {
    /** True the first time `key` is seen within `ttl`; false for a replay. */
    readonly firstUse: (key: string, ttl: Duration.Duration) => Effect.Effect<boolean, ReplayCacheUnavailable>
  }
>()("@bulwark/identity/ReplayCache") {
  /**
   * A cache in this process. Entries are kept in insertion order with one TTL per call site, so expired ones sit at
   * the front and are swept there on each insert: memory stays bounded by the accepted request rate times the TTL.
   */
  static readonly layerMemory: Layer.Layer<ReplayCache> = Layer.sync(ReplayCache, () => {
    const seen = new Map<string, number>()
    const sweep = (now: number) => {
      for (const [key, expiresAt] of seen) {
        if (expiresAt > now) break
        seen.delete(key)
      }
    }
    return ReplayCache.of({
      firstUse: (key, ttl) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          sweep(now)
          const expiresAt = seen.get(key)
          if (expiresAt !== undefined && expiresAt > now) return false
          seen.delete(key)
          seen.set(key, now + Duration.toMillis(ttl))
          return true
        })
    })
  })

  /** A cache shared through Redis: `SET <prefix>:replay:<key> 1 NX PX <ttl>`; Redis expires the keys itself. */
  static readonly layerRedis = (prefix: string): Layer.Layer<ReplayCache, never, Redis> =>
    Layer.effect(
      ReplayCache,
      Effect.map(Redis, (redis) =>
        ReplayCache.of({
          firstUse: (key, ttl) =>
            redis
              .send<string | null>(
                "SET",
                `${prefix}:replay:${key}`,
                "1",
                "NX",
                "PX",
                String(Math.max(1, Math.ceil(Duration.toMillis(ttl))))
              )
              .pipe(
                Effect.map((reply) => reply === "OK"),
                Effect.mapError(
                  () => new ReplayCacheUnavailable({ message: "The Redis replay cache did not answer SET NX." })
                ),
                // node-redis queues commands while it reconnects: do not hold the request for that.
                Effect.timeoutOrElse({
                  duration: answerWithin,
                  orElse: () =>
                    Effect.fail(
                      new ReplayCacheUnavailable({
                        message: `The Redis replay cache did not answer within ${Duration.format(answerWithin)}.`
                      })
                    )
                })
              )
        })
      )
    )
}
