/**
 * What API keys and HMAC credentials have in common: who they belong to, what they may do, and their lifetime.
 *
 * @since 0.1.0
 */
import { Clock, Effect } from "effect"
import { InvalidCredentialRequest } from "./errors.ts"

/** A request to create a credential for a tenant. */
export interface NewCredential {
  readonly tenantId: string
  /** What the credential is for, e.g. "ci-deploy"; shown in listings. */
  readonly name: string
  readonly scopes: ReadonlyArray<string>
  /** When it stops working; never when absent. Must be in the future. */
  readonly expiresAt?: Date
}

/** A stored credential as listed: never its secret, nor its hash. */
export interface CredentialInfo {
  readonly keyId: string
  readonly tenantId: string
  readonly name: string
  readonly scopes: ReadonlyArray<string>
  readonly createdAt: Date
  readonly expiresAt: Date | undefined
  readonly revokedAt: Date | undefined
}

/** The row shape both credential tables share. */
export interface CredentialRow {
  readonly key_id: string
  readonly tenant_id: string
  readonly name: string
  readonly scopes: ReadonlyArray<string>
  readonly created_at: Date
  readonly expires_at: Date | null
  readonly revoked_at: Date | null
}

/** A listed row without secret columns. */
export const toInfo = (row: CredentialRow): CredentialInfo => ({
  keyId: row.key_id,
  tenantId: row.tenant_id,
  name: row.name,
  scopes: [...row.scopes],
  createdAt: row.created_at,
  expiresAt: row.expires_at ?? undefined,
  revokedAt: row.revoked_at ?? undefined
})

const scopePattern = /^[\x21\x23-\x5B\x5D-\x7E]+$/

/** Checks a creation request: non-empty tenant and name, OAuth-shaped scopes, an expiry in the future. */
export const validateNew = (input: NewCredential): Effect.Effect<void, InvalidCredentialRequest> =>
  Effect.gen(function* () {
    const invalid = (message: string) => Effect.fail(new InvalidCredentialRequest({ message }))
    if (input.tenantId.trim() === "") return yield* invalid("tenantId must be a non-empty string.")
    if (input.name.trim() === "") return yield* invalid("name must be a non-empty string saying what the key is for.")
    const bad = input.scopes.find((scope) => !scopePattern.test(scope))
    if (bad !== undefined) {
      return yield* invalid(
        `Scope ${JSON.stringify(bad)} is not a valid scope token (no spaces, quotes or backslashes).`
      )
    }
    if (input.expiresAt !== undefined) {
      const now = yield* Clock.currentTimeMillis
      if (Number.isNaN(input.expiresAt.getTime())) return yield* invalid("expiresAt is not a valid date.")
      if (input.expiresAt.getTime() <= now) return yield* invalid("expiresAt must be in the future.")
    }
  })
