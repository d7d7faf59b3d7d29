/**
 * Checks an HMAC-signed request: timestamp within the skew window, a known and active key, a matching signature
 * (compared in constant time), and a signature never accepted before within the window.
 *
 * @since 0.1.0
 */
import type { Credentials, Principal } from "@bulwark/core"
import { Clock, Duration, Effect, Option } from "effect"
import { HmacRejected, type HmacUnavailable, type IdentityStoreError, type ReplayCacheUnavailable } from "./errors.ts"
import { HmacCredentials } from "./HmacCredentials.ts"
import { bodyHash, canonicalString, HmacHeaders, signature } from "./HmacSigning.ts"
import { constantTimeEquals } from "./internal/crypto.ts"
import { ReplayCache } from "./ReplayCache.ts"

/** The key an unknown key id is checked with, so that it costs what a known one does. */
const absentSecret = "bulwark identity: no such HMAC key"

/** Whether the request carries any of the HMAC headers (and so asks to be checked as a signed request). */
export const hasHmacHeaders = (credentials: Credentials): boolean =>
  credentials.headers[HmacHeaders.keyId] !== undefined ||
  credentials.headers[HmacHeaders.timestamp] !== undefined ||
  credentials.headers[HmacHeaders.signature] !== undefined

/** A verifier for one skew window. */
export type HmacVerifier = (
  credentials: Credentials
) => Effect.Effect<Principal, HmacRejected | HmacUnavailable | IdentityStoreError | ReplayCacheUnavailable>

/**
 * Builds the verifier. Signatures are remembered for twice the skew (a timestamp is acceptable from `skew` before
 * to `skew` after it), keyed by key id and signature.
 */
export const make = (options: {
  readonly skew: Duration.Duration
}): Effect.Effect<HmacVerifier, never, HmacCredentials | ReplayCache> =>
  Effect.gen(function* () {
    const store = yield* HmacCredentials
    const replays = yield* ReplayCache
    const skewMillis = Duration.toMillis(options.skew)
    const remember = Duration.millis(2 * skewMillis + 1000)

    return Effect.fn("HmacVerifier.verify")(function* (credentials: Credentials) {
      const keyId = credentials.headers[HmacHeaders.keyId]
      const timestamp = credentials.headers[HmacHeaders.timestamp]
      const presented = credentials.headers[HmacHeaders.signature]
      if (keyId === undefined || timestamp === undefined || presented === undefined) {
        return yield* new HmacRejected({ reason: "malformed" })
      }
      if (!/^\d{1,12}$/.test(timestamp) || !/^[0-9a-f]{64}$/.test(presented)) {
        return yield* new HmacRejected({ reason: "malformed", keyId })
      }
      const now = yield* Clock.currentTimeMillis
      if (Math.abs(now - Number(timestamp) * 1000) > skewMillis) {
        return yield* new HmacRejected({ reason: "stale", keyId })
      }
      // An unknown key id costs the same signature and comparison as a known one: timing tells nothing.
      const resolved = yield* store.resolve(keyId).pipe(
        Effect.map(Option.some),
        Effect.catchIf(
          (error) => error._tag === "HmacRejected" && error.reason === "unknown",
          () => Effect.succeedNone
        )
      )
      const expected = signature(
        Option.isSome(resolved) ? resolved.value.secret : absentSecret,
        canonicalString({
          keyId,
          method: credentials.method,
          pathAndQuery: credentials.path,
          timestamp,
          bodySha256Hex: bodyHash(credentials.body)
        })
      )
      const matches = constantTimeEquals(Buffer.from(expected, "hex"), Buffer.from(presented, "hex"))
      if (Option.isNone(resolved)) return yield* new HmacRejected({ reason: "unknown", keyId })
      if (!matches) return yield* new HmacRejected({ reason: "bad-signature", keyId })
      const material = resolved.value
      if (material.status !== "active") return yield* new HmacRejected({ reason: material.status, keyId })
      if (!(yield* replays.firstUse(`${keyId}:${presented}`, remember))) {
        return yield* new HmacRejected({ reason: "replayed", keyId })
      }
      return material.principal
    })
  })
