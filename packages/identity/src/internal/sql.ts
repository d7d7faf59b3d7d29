/** Maps SQL failures to `IdentityStoreError` without ever putting parameters (hashes, ciphertexts) in the message. */
import { Duration, Effect } from "effect"
import type { SqlError } from "effect/sql/SqlError"
import { IdentityStoreError } from "../errors.ts"

/** How long a request waits for a credential lookup before it is refused with 503. */
export const lookupTimeout = Duration.seconds(5)

/** Bounds a lookup made while a request waits: a stalled database gives 503, not a hung request. */
export const withinLookupTimeout = <A, R>(
  operation: string,
  effect: Effect.Effect<A, IdentityStoreError, R>
): Effect.Effect<A, IdentityStoreError, R> =>
  Effect.timeoutOrElse(effect, {
    duration: lookupTimeout,
    orElse: () =>
      Effect.fail(
        new IdentityStoreError({
          operation,
          message: `The identity store did not answer ${operation} within ${Duration.format(lookupTimeout)}.`
        })
      )
  })

/** A store failure for `operation`, with PostgreSQL's message kept as the cause only. */
export const storeError =
  (operation: string) =>
  (cause: SqlError): IdentityStoreError =>
    new IdentityStoreError({
      operation,
      message: `The identity store failed during ${operation}; check that PostgreSQL is reachable.`,
      cause
    })

/** Turns a PostgreSQL `bytea` value (Uint8Array) into a Buffer, or undefined when the column held something else. */
export const toBytes = (value: unknown): Buffer | undefined =>
  value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : undefined
