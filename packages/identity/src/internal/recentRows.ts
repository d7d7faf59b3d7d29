/**
 * The credential rows verification reads, kept for a second: a busy server checks each key against PostgreSQL at
 * most once a second per instance instead of on every request. A second is the bound on how long a revocation made
 * elsewhere takes to reach this instance (a revocation made here takes effect at once). A key id that names no row
 * is kept too, so that a stream of unknown ids does not reach the database once per request either. Secrets are
 * still compared on every request; a verdict kept beside a row (the API keys') lives no longer than the row.
 *
 * When the store is slow or down, a row read in the last minute is used rather than holding every request until
 * the lookup times out: past a second the row is read again, and if that read fails, or has not answered within
 * `staleAfter` (it goes on in the background and refreshes the row when it does), the last row read is used, and
 * is used at once by the requests that come while that read is under way. A
 * credential known a minute ago thus keeps working through a database stall (no revocation can be written then
 * anyway), and a healthy database still gets every revocation applied within a second. Concurrent reads of one key
 * id are one lookup.
 *
 * @internal
 */
import { Deferred, Duration, Effect, Exit, Fiber, type Option } from "effect"
import type { IdentityStoreError } from "../errors.ts"

/** How long a row read from the store is trusted. */
export const rowLifetime = Duration.seconds(1)

/** How long a row may stand in for a store that is slow or down. */
export const staleLifetime = Duration.minutes(1)

/** How long a read of an expired row may take before the expired row is used instead. */
export const staleAfter = Duration.millis(250)

/** Rows by key id, read through `lookup`. */
export interface RecentRows<Row> {
  readonly get: (keyId: string) => Effect.Effect<Option.Option<Row>, IdentityStoreError>
  /**
   * The row of a key id when one is kept and still fresh at `nowMs` (epoch milliseconds), without waiting: what
   * `get` would answer at once. Undefined when `get` would read the store, fall back, or find no row.
   */
  readonly fresh: (keyId: string, nowMs: number) => Row | undefined
  /** Forgets a key id (after revoking it here). */
  readonly forget: (keyId: string) => Effect.Effect<void>
}

interface Kept<Row> {
  readonly row: Option.Option<Row>
  /** Epoch milliseconds when it was read. */
  readonly at: number
}

/** Builds the cache over `lookup`; `capacity` bounds the key ids kept. */
export const make = <Row>(
  lookup: (keyId: string) => Effect.Effect<Option.Option<Row>, IdentityStoreError>,
  capacity = 10_000
): Effect.Effect<RecentRows<Row>> =>
  Effect.sync(() => {
    const freshMs = Duration.toMillis(rowLifetime)
    const staleMs = Duration.toMillis(staleLifetime)
    const kept = new Map<string, Kept<Row>>()
    const reading = new Map<string, Deferred.Deferred<Option.Option<Row>, IdentityStoreError>>()

    /** Reads the row once for every caller waiting on it, and keeps it. */
    const read = (keyId: string): Effect.Effect<Option.Option<Row>, IdentityStoreError> => {
      const pending = reading.get(keyId)
      if (pending !== undefined) return Deferred.await(pending)
      const deferred = Deferred.makeUnsafe<Option.Option<Row>, IdentityStoreError>()
      reading.set(keyId, deferred)
      return Effect.clockWith((clock) =>
        lookup(keyId).pipe(
          Effect.onExit((exit) =>
            Effect.sync(() => {
              reading.delete(keyId)
              if (Exit.isSuccess(exit)) {
                if (kept.size >= capacity && !kept.has(keyId)) kept.clear()
                kept.set(keyId, { row: exit.value, at: clock.currentTimeMillisUnsafe() })
              }
            }).pipe(Effect.andThen(Deferred.done(deferred, exit)))
          )
        )
      )
    }

    const get = (keyId: string): Effect.Effect<Option.Option<Row>, IdentityStoreError> =>
      Effect.clockWith((clock) => {
        const row = kept.get(keyId)
        const age = row === undefined ? Number.POSITIVE_INFINITY : clock.currentTimeMillisUnsafe() - row.at
        if (row !== undefined && age < freshMs) return Effect.succeed(row.row)
        if (row === undefined || age >= staleMs) return read(keyId)
        // Expired but recent: read again, and fall back on it if the store fails or is slow (the read goes on). While
        // a read is already under way and slow, the row stands in at once.
        if (reading.has(keyId)) return Effect.succeed(row.row)
        const fallback: Exit.Exit<Option.Option<Row>, IdentityStoreError> = Exit.succeed(row.row)
        return Effect.forkDetach(read(keyId)).pipe(
          Effect.flatMap((fiber) =>
            Effect.raceFirst(Effect.exit(Fiber.join(fiber)), Effect.as(Effect.sleep(staleAfter), fallback))
          ),
          Effect.map((exit) => (Exit.isSuccess(exit) ? exit.value : row.row))
        )
      })

    const fresh = (keyId: string, nowMs: number): Row | undefined => {
      const row = kept.get(keyId)
      return row !== undefined && nowMs - row.at < freshMs && row.row._tag === "Some" ? row.row.value : undefined
    }

    return {
      get,
      fresh,
      forget: (keyId) =>
        Effect.sync(() => {
          kept.delete(keyId)
        })
    }
  })
