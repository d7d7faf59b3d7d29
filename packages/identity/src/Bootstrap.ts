/**
 * The first API key of a fresh installation, so that an operator can reach a server that requires authentication.
 *
 * @since 0.1.0
 */
import { Effect, Option, type Redacted } from "effect"
import { ApiKeys } from "./ApiKeys.ts"
import type { IdentityStoreError, InvalidCredentialRequest } from "./errors.ts"

/** The key made by `ensureBootstrapKey`. */
export interface BootstrapKey {
  readonly keyId: string
  readonly tenantId: string
  /** The plaintext key, available this once. */
  readonly key: Redacted.Redacted<string>
  /**
   * `generated`: a new random key; print it once (to stderr) so the operator can store it. `imported`: the preset key
   * the operator supplied, stored by hash only; print only its key id, the operator already has the key.
   */
  readonly source: "generated" | "imported"
}

/** What `ensureBootstrapKey` needs. */
export interface BootstrapOptions {
  readonly tenantId: string
  /** A key to import instead of generating one (e.g. `BULWARK_API_KEY`); must be a `bwk_...` key. */
  readonly presetKey?: Redacted.Redacted<string>
  /** Scopes of the bootstrap key; none by default. */
  readonly scopes?: ReadonlyArray<string>
  /** Its name in listings; "bootstrap" by default. */
  readonly name?: string
}

/**
 * When no API key exists at all (not even a revoked one), creates one for `tenantId`, or imports `presetKey`, and
 * returns it; otherwise does nothing and returns `None`. Safe when several instances start at once: exactly one of
 * them creates the key.
 */
export const ensureBootstrapKey = (
  options: BootstrapOptions
): Effect.Effect<Option.Option<BootstrapKey>, InvalidCredentialRequest | IdentityStoreError, ApiKeys> =>
  Effect.gen(function* () {
    const apiKeys = yield* ApiKeys
    const created = yield* apiKeys.createFirst(
      { tenantId: options.tenantId, name: options.name ?? "bootstrap", scopes: options.scopes ?? [] },
      options.presetKey
    )
    if (Option.isNone(created)) return Option.none()
    const source = options.presetKey === undefined ? "generated" : "imported"
    yield* Effect.logInfo(`Created the bootstrap API key ${created.value.keyId} (${source})`).pipe(
      Effect.annotateLogs({ tenantId: options.tenantId })
    )
    return Option.some<BootstrapKey>({
      keyId: created.value.keyId,
      tenantId: created.value.tenantId,
      key: created.value.key,
      source
    })
  }).pipe(Effect.withSpan("identity.ensureBootstrapKey"))
