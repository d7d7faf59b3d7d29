/**
 * The credential rows verification reads, kept for a second: a busy server checks each key against PostgreSQL at
 * most once a second per instance instead of on every request. A second is the bound on how long a revocation made
 * elsewhere takes to reach this instance (a revocation made here takes effect at once). Store failures are not kept;
 * a key id that names no row is, so that a stream of unknown ids does not reach the database once per request either.
 * Secrets are still compared on every request: only the stored row is kept, never a verdict.
 *
 * @internal
 */
import { Cache, Duration, Effect, Exit, type Option } from "effect"
import type { IdentityStoreError } from "../errors.ts"

/** How long a row read from the store is trusted. */
export const rowLifetime = Duration.seconds(1)

/** Rows by key id, read through `lookup`. */
export interface RecentRows<Row> {
  readonly get: (keyId: string) => Effect.Effect<Option.Option<Row>, IdentityStoreError>
  /** Forgets a key id (after revoking it here). */
  readonly forget: (keyId: string) => Effect.Effect<void>
}

/** Builds the cache over `lookup`; `capacity` bounds the key ids kept. */
export const make = <Row>(
  lookup: (keyId: string) => Effect.Effect<Option.Option<Row>, IdentityStoreError>,
  capacity = 10_000
): Effect.Effect<RecentRows<Row>> =>
  Effect.map(
    Cache.makeWith(lookup, {
      capacity,
      timeToLive: (exit) => (Exit.isSuccess(exit) ? rowLifetime : Duration.zero)
    }),
    (cache) => ({
      get: (keyId) => Cache.get(cache, keyId),
      forget: (keyId) => Cache.invalidate(cache, keyId)
    })
  )
