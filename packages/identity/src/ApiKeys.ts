/**
 * API keys: random keys shown once, stored as SHA-256 hashes, checked in constant time, revocable.
 *
 * Verification reads the key's row by primary key, kept for a second (`recentRows.ts`), so a revocation or expiry
 * takes effect on every instance within a second; while a row is kept, a secret already found to match it is
 * compared byte for byte (in constant time) rather than hashed again. The secret is 256 random bits, so a fast unsalted hash is the right
 * tool: there is nothing to brute-force, and verifying stays cheap.
 *
 * @since 0.1.0
 */
import type { Principal } from "@bulwark/core"
import type { MigrationError, MigrationRegistry } from "@bulwark/database"
import { Clock, Context, Effect, Layer, Option, Redacted } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { type CredentialInfo, type NewCredential, validateNew } from "./Credential.ts"
import { ApiKeyRejected, type CredentialNotFound, type IdentityStoreError, InvalidCredentialRequest } from "./errors.ts"
import * as IdentityMigrations from "./IdentityMigrations.ts"
import { credentialTable } from "./internal/credentialTable.ts"
import { constantTimeEquals, sha256 } from "./internal/crypto.ts"
import * as RecentRows from "./internal/recentRows.ts"
import { storeError, toBytes, withinLookupTimeout } from "./internal/sql.ts"
import { generateApiKey, parseApiKey } from "./KeyFormat.ts"

/** A key just created: `key` is the only time the plaintext exists outside the client. */
export interface CreatedApiKey extends CredentialInfo {
  readonly key: Redacted.Redacted<string>
}

// pg_advisory_xact_lock key serializing bootstrap across instances ("BwkB" in ASCII).
const bootstrapLockKey = 0x42776b42

// Compared against when the key id is unknown, so that every verification does the same hashing and comparison.
const absentHash = sha256("bulwark identity: no such key")

interface VerifyRow {
  readonly key_id: string
  readonly tenant_id: string
  readonly scopes: ReadonlyArray<string>
  readonly secret_sha256: Uint8Array
  readonly revoked: boolean
  readonly expires_at: Date | null
}

/** Creates, lists, revokes and verifies API keys. */
export class ApiKeys extends Context.Service<
  ApiKeys,
  {
    /** Creates a key for a tenant and returns it once; only its SHA-256 is stored. */
    readonly create: (
      input: NewCredential
    ) => Effect.Effect<CreatedApiKey, InvalidCredentialRequest | IdentityStoreError>
    /** Keys of one tenant (or all), oldest first, with revoked and expired ones; never secrets or hashes. */
    readonly list: (tenantId?: string) => Effect.Effect<ReadonlyArray<CredentialInfo>, IdentityStoreError>
    /** Revokes a key on every instance at once; revoking a revoked key is a no-op. */
    readonly revoke: (keyId: string) => Effect.Effect<void, CredentialNotFound | IdentityStoreError>
    /** The principal of a presented key, or why it is refused (for logs only; clients learn "unauthorized"). */
    readonly verify: (
      presented: Redacted.Redacted<string>
    ) => Effect.Effect<Principal, ApiKeyRejected | IdentityStoreError>
    /**
     * The principal of a presented key when `verify` would accept it from memory at `nowMs` (epoch milliseconds):
     * its row is fresh, the same secret matched it before, and it has not expired. Undefined otherwise (ask
     * `verify`). Lets a caller on the hot path skip the effect for the common case; never a weaker check.
     */
    readonly verifyKnown: (presented: Redacted.Redacted<string>, nowMs: number) => Principal | undefined
    /**
     * Creates (or imports, storing only its hash) a key only when no API key exists at all, atomically across
     * instances. Used by `ensureBootstrapKey`.
     */
    readonly createFirst: (
      input: NewCredential,
      presetKey?: Redacted.Redacted<string>
    ) => Effect.Effect<Option.Option<CreatedApiKey>, InvalidCredentialRequest | IdentityStoreError>
  }
>()("@bulwark/identity/ApiKeys") {
  /** The service on the app's `SqlClient`, with the identity migrations applied first. */
  static readonly layer: Layer.Layer<ApiKeys, MigrationError, SqlClient | MigrationRegistry> = Layer.effect(
    ApiKeys,
    Effect.gen(function* () {
      const sql = yield* SqlClient

      const insert = (input: NewCredential, keyId: string, secret: string) =>
        sql<{ readonly created_at: Date }>`
          INSERT INTO identity_api_keys (key_id, tenant_id, name, scopes, secret_sha256, expires_at)
          VALUES (${keyId}, ${input.tenantId}, ${input.name}, ${[...input.scopes]}, ${sha256(secret)},
                  ${input.expiresAt ?? null})
          RETURNING created_at`.pipe(
          Effect.map(
            (rows): CredentialInfo => ({
              keyId,
              tenantId: input.tenantId,
              name: input.name,
              scopes: [...input.scopes],
              createdAt: rows[0]?.created_at ?? new Date(),
              expiresAt: input.expiresAt,
              revokedAt: undefined
            })
          ),
          Effect.mapError(storeError("API key creation"))
        )

      const create = Effect.fn("ApiKeys.create")(function* (input: NewCredential) {
        yield* validateNew(input)
        const { keyId, key } = generateApiKey()
        const parsed = parseApiKey(Redacted.value(key))!
        const info = yield* insert(input, keyId, parsed.secret)
        return { ...info, key }
      })

      const table = credentialTable(sql, "identity_api_keys", "API key")
      const rows = yield* RecentRows.make((keyId) =>
        sql<VerifyRow>`
          SELECT key_id, tenant_id, scopes, secret_sha256, revoked_at IS NOT NULL AS revoked, expires_at
          FROM identity_api_keys WHERE key_id = ${keyId}`.pipe(
          Effect.map((found) => Option.fromUndefinedOr(found[0])),
          Effect.mapError(storeError("API key verification")),
          (lookup) => withinLookupTimeout("API key verification", lookup)
        )
      )
      const revoke = (keyId: string) => Effect.tap(table.revoke(keyId), () => rows.forget(keyId))

      // The secret that matched each row kept now (see `recentRows.ts`), with the principal it made: a request that
      // presents it again compares bytes in constant time instead of hashing (a SHA-256 per request was a tenth of a
      // call's CPU) and makes nothing new. The verdict lives exactly as long as the row object it was reached for, so
      // a revocation still applies within a second.
      const verified = new WeakMap<VerifyRow, { readonly secret: Buffer; readonly principal: Principal }>()

      const unexpired = (row: VerifyRow, principal: Principal): Effect.Effect<Principal, ApiKeyRejected> => {
        if (row.expires_at === null) return Effect.succeed(principal)
        const expiresAt = new Date(row.expires_at).getTime()
        return Effect.flatMap(Clock.currentTimeMillis, (now) =>
          expiresAt <= now
            ? Effect.fail(new ApiKeyRejected({ reason: "expired", keyId: row.key_id }))
            : Effect.succeed(principal)
        )
      }

      // Runs for every request: combinators, not a generator.
      const verify = (
        presented: Redacted.Redacted<string>
      ): Effect.Effect<Principal, ApiKeyRejected | IdentityStoreError> => {
        const parsed = parseApiKey(Redacted.value(presented))
        if (parsed === undefined) return Effect.fail(new ApiKeyRejected({ reason: "malformed" }))
        const keyId = parsed.keyId
        return Effect.flatMap(rows.get(keyId), (found) => {
          const row = Option.getOrUndefined(found)
          const secret = Buffer.from(parsed.secret)
          const known = row === undefined ? undefined : verified.get(row)
          // A verdict is kept only for a row that was neither unknown nor revoked.
          if (row !== undefined && known !== undefined && constantTimeEquals(known.secret, secret)) {
            return unexpired(row, known.principal)
          }
          const stored = row === undefined ? undefined : toBytes(row.secret_sha256)
          const matches = constantTimeEquals(sha256(secret), stored ?? absentHash)
          if (row === undefined || stored === undefined)
            return Effect.fail(new ApiKeyRejected({ reason: "unknown", keyId }))
          if (!matches) return Effect.fail(new ApiKeyRejected({ reason: "wrong-secret", keyId }))
          if (row.revoked) return Effect.fail(new ApiKeyRejected({ reason: "revoked", keyId }))
          const principal: Principal = {
            tenantId: row.tenant_id,
            subject: row.key_id,
            scopes: [...row.scopes],
            method: "api-key"
          }
          verified.set(row, { secret, principal })
          return unexpired(row, principal)
        })
      }

      const verifyKnown = (presented: Redacted.Redacted<string>, nowMs: number): Principal | undefined => {
        const parsed = parseApiKey(Redacted.value(presented))
        if (parsed === undefined) return undefined
        const row = rows.fresh(parsed.keyId, nowMs)
        const known = row === undefined ? undefined : verified.get(row)
        if (row === undefined || known === undefined) return undefined
        if (!constantTimeEquals(known.secret, Buffer.from(parsed.secret))) return undefined
        if (row.expires_at !== null && new Date(row.expires_at).getTime() <= nowMs) return undefined
        return known.principal
      }

      const createFirst = Effect.fn("ApiKeys.createFirst")(function* (
        input: NewCredential,
        presetKey?: Redacted.Redacted<string>
      ) {
        yield* validateNew(input)
        let generated = generateApiKey()
        if (presetKey !== undefined) {
          const parsed = parseApiKey(Redacted.value(presetKey))
          if (parsed === undefined) {
            return yield* new InvalidCredentialRequest({
              message:
                "The preset API key is not a Bulwark API key: it must look like bwk_<16 hex characters>_<43 base64url characters>."
            })
          }
          generated = { keyId: parsed.keyId, key: presetKey }
        }
        const { keyId, key } = generated
        const secret = parseApiKey(Redacted.value(key))!.secret
        return yield* sql
          .withTransaction(
            Effect.gen(function* () {
              yield* sql`SELECT pg_advisory_xact_lock(${sql.literal(String(bootstrapLockKey))})`
              const existing = yield* sql<{ readonly present: boolean }>`
                SELECT EXISTS (SELECT 1 FROM identity_api_keys) AS present`
              if (existing[0]?.present === true) return Option.none<CreatedApiKey>()
              const info = yield* insert(input, keyId, secret)
              return Option.some<CreatedApiKey>({ ...info, key })
            })
          )
          .pipe(
            Effect.mapError((error) =>
              error._tag === "IdentityStoreError" ? error : storeError("bootstrap key creation")(error)
            )
          )
      })

      return ApiKeys.of({ create, list: table.list, revoke, verify, verifyKnown, createFirst })
    })
  ).pipe(Layer.provide(IdentityMigrations.layer))
}
