/**
 * The cache's second layer (L2), shared by every instance: answers and tag versions in Redis, when the server has one
 * (`REDIS_URL`). An instance that misses in process reads the answer another instance stored, with the current
 * versions of its tags in the same round trip (`MGET`); a write's invalidation increments its tags' versions there
 * before the write's answer is returned, so a stored answer that depends on them no longer matches. Answers expire on
 * their own (`PX`: freshness plus the stale-if-error window) and are stored as plain JSON, read back with `JSON.parse`
 * and a shape check (no `eval`; a `__proto__` key stays a plain key). Keys are SHA-256 hashes of the tenant-scoped
 * key under a prefix.
 *
 * Redis that does not answer (down, slow past 100 ms) never fails a request: the call is served from the first layer
 * or the backend, and a warning is logged (at most once a minute).
 */
import { createHash } from "node:crypto"
import { Clock, Context, Duration, Effect, Layer, Predicate } from "effect"
import { Redis } from "effect/persistence"

/** An answer as stored in the shared layer. */
export interface SharedEntry {
  readonly value: Record<string, unknown>
  /** Epoch milliseconds. */
  readonly storedAt: number
  readonly freshUntil: number
  readonly keptUntil: number
  /** The shared versions of its tags when it was computed, in the order of its tag keys. */
  readonly versions: ReadonlyArray<number>
}

/** What a read found: the entry, if any, and the current shared versions of the tags asked for. */
export interface SharedRead {
  readonly entry: SharedEntry | undefined
  readonly versions: ReadonlyArray<number>
}

/** The shared layer. */
export interface SharedCacheShape {
  /** Reads an answer and its tags' current versions; undefined when there is no shared layer or it did not answer. */
  readonly read: (key: string, tagKeys: ReadonlyArray<string>) => Effect.Effect<SharedRead | undefined>
  readonly write: (key: string, entry: SharedEntry) => Effect.Effect<void>
  /** Moves the versions of tags (a write invalidated them). */
  readonly bump: (tagKeys: ReadonlyArray<string>) => Effect.Effect<void>
}

/** The shared layer, as a service. */
export class SharedCache extends Context.Service<SharedCache, SharedCacheShape>()("@bulwark/cache/SharedCache") {}

/** No shared layer: every read misses. */
export const layerNone: Layer.Layer<SharedCache> = Layer.succeed(SharedCache, {
  read: () => Effect.succeed(undefined),
  write: () => Effect.void,
  bump: () => Effect.void
})

const hash = (text: string) => createHash("sha256").update(text).digest("hex")

const isEntry = (u: unknown): u is SharedEntry =>
  Predicate.isObject(u) &&
  Predicate.isObject(u.value) &&
  typeof u.storedAt === "number" &&
  typeof u.freshUntil === "number" &&
  typeof u.keptUntil === "number" &&
  Array.isArray(u.versions) &&
  u.versions.every((v) => typeof v === "number")

/**
 * Tag versions live a day past their last invalidation, and answers at most half of that: an answer never outlives
 * the version it was checked against (a version that expired reads as 0 again, which an answer stored before the
 * invalidation would otherwise match).
 */
const TAG_LIFETIME_MS = 24 * 60 * 60 * 1000
const MAX_ENTRY_LIFETIME_MS = TAG_LIFETIME_MS / 2

/** How long a Redis command may take before the cache does without it. */
const COMMAND_TIMEOUT = Duration.millis(100)

/** The shared layer on the `Redis` in context, its keys under `prefix`. */
export const layerRedis = (prefix = "bulwark:cache"): Layer.Layer<SharedCache, never, Redis.Redis> =>
  Layer.effect(
    SharedCache,
    Effect.gen(function* () {
      const redis = yield* Redis.Redis
      let lastWarning = 0
      /** Runs a command; a failure or a timeout is logged (at most once a minute) and answered with `fallback`. */
      const attempt = <A>(operation: string, effect: Effect.Effect<A, unknown>, fallback: A): Effect.Effect<A> =>
        effect.pipe(
          Effect.timeoutOrElse({ duration: COMMAND_TIMEOUT, orElse: () => Effect.fail("timed out" as const) }),
          Effect.catch((error) =>
            Effect.flatMap(Clock.currentTimeMillis, (now) => {
              if (now - lastWarning < 60_000) return Effect.succeed(fallback)
              lastWarning = now
              return Effect.as(
                Effect.logWarning(`the shared cache (Redis) did not answer ${operation}; serving without it`, error),
                fallback
              )
            })
          )
        )
      const entryKey = (key: string) => `${prefix}:e:${hash(key)}`
      const tagKey = (tag: string) => `${prefix}:t:${hash(tag)}`
      return SharedCache.of({
        read: (key, tagKeys) =>
          attempt(
            "a read",
            Effect.map(
              redis.send<ReadonlyArray<string | null>>("MGET", entryKey(key), ...tagKeys.map(tagKey)),
              ([raw, ...versions]): SharedRead => {
                let entry: SharedEntry | undefined
                try {
                  const parsed: unknown = raw === null || raw === undefined ? undefined : JSON.parse(raw)
                  entry = isEntry(parsed) ? parsed : undefined
                } catch {
                  entry = undefined
                }
                return { entry, versions: versions.map((v) => (v === null ? 0 : Number(v))) }
              }
            ),
            undefined
          ),
        write: (key, entry) =>
          Effect.flatMap(Clock.currentTimeMillis, (now) => {
            const ttl = Math.min(MAX_ENTRY_LIFETIME_MS, Math.max(1, entry.keptUntil - now))
            return attempt(
              "a write",
              redis.send("SET", entryKey(key), JSON.stringify(entry), "PX", String(ttl)),
              undefined
            )
          }),
        bump: (tagKeys) =>
          tagKeys.length === 0
            ? Effect.void
            : attempt(
                "an invalidation",
                Effect.forEach(
                  tagKeys,
                  (tag) =>
                    Effect.andThen(
                      redis.send("INCR", tagKey(tag)),
                      redis.send("PEXPIRE", tagKey(tag), String(TAG_LIFETIME_MS))
                    ),
                  { discard: true }
                ),
                undefined
              )
      })
    })
  )
