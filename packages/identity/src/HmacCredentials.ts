/**
 * HMAC credentials: a key id and a shared secret per client. The server needs the secret itself to check signatures,
 * so it is stored encrypted (AES-256-GCM under a key derived from `hmac.masterKey`), bound to its key id; the
 * database alone never reveals a usable secret. Without a master key, HMAC credentials cannot be created or used.
 *
 * @since 0.1.0
 */
import type { Principal } from "@bulwark/core"
import type { MigrationError, MigrationRegistry } from "@bulwark/database"
import { Clock, Context, Effect, Layer, Option, type Redacted, Result } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { type CredentialInfo, type NewCredential, validateNew } from "./Credential.ts"
import {
  type CredentialNotFound,
  HmacRejected,
  HmacUnavailable,
  IdentityStoreError,
  type InvalidCredentialRequest
} from "./errors.ts"
import * as IdentityMigrations from "./IdentityMigrations.ts"
import { credentialTable } from "./internal/credentialTable.ts"
import * as RecentRows from "./internal/recentRows.ts"
import * as SecretBox from "./internal/SecretBox.ts"
import { storeError, toBytes, withinLookupTimeout } from "./internal/sql.ts"
import { generateHmacKeyId, generateHmacSecret, isHmacKeyId } from "./KeyFormat.ts"

/** A credential just created: `secret` is shown this once. */
export interface CreatedHmacCredential extends CredentialInfo {
  readonly secret: Redacted.Redacted<string>
}

/** What the signature check needs: the decrypted secret, whom it authenticates, and whether it is still usable. */
export interface HmacKeyMaterial {
  readonly principal: Principal
  readonly secret: Redacted.Redacted<string>
  readonly status: "active" | "revoked" | "expired"
}

interface ResolveRow {
  readonly key_id: string
  readonly tenant_id: string
  readonly scopes: ReadonlyArray<string>
  readonly secret_sealed: Uint8Array
  readonly revoked: boolean
  readonly expires_at: Date | null
}

/** Creates, lists and revokes HMAC credentials, and resolves a key id for signature checks. */
export class HmacCredentials extends Context.Service<
  HmacCredentials,
  {
    /** Creates a credential; the secret is returned once and stored only encrypted. */
    readonly create: (
      input: NewCredential
    ) => Effect.Effect<CreatedHmacCredential, HmacUnavailable | InvalidCredentialRequest | IdentityStoreError>
    /** Credentials of one tenant (or all), oldest first; never secrets. */
    readonly list: (tenantId?: string) => Effect.Effect<ReadonlyArray<CredentialInfo>, IdentityStoreError>
    /** Revokes a credential on every instance at once; revoking twice is a no-op. */
    readonly revoke: (keyId: string) => Effect.Effect<void, CredentialNotFound | IdentityStoreError>
    /** The decrypted secret and principal of a key id (`unknown` when there is none). */
    readonly resolve: (
      keyId: string
    ) => Effect.Effect<HmacKeyMaterial, HmacRejected | HmacUnavailable | IdentityStoreError>
  }
>()("@bulwark/identity/HmacCredentials") {
  /** The service on the app's `SqlClient`, with the identity migrations applied first. */
  static readonly layer = (options: {
    readonly masterKey?: Redacted.Redacted<string> | undefined
  }): Layer.Layer<HmacCredentials, MigrationError, SqlClient | MigrationRegistry> =>
    Layer.effect(
      HmacCredentials,
      Effect.gen(function* () {
        const sql = yield* SqlClient
        const box = options.masterKey === undefined ? undefined : SecretBox.make(options.masterKey)

        const create = Effect.fn("HmacCredentials.create")(function* (input: NewCredential) {
          if (box === undefined) return yield* new HmacUnavailable()
          yield* validateNew(input)
          const keyId = generateHmacKeyId()
          const secret = generateHmacSecret()
          const rows = yield* sql<{ readonly created_at: Date }>`
            INSERT INTO identity_hmac_credentials (key_id, tenant_id, name, scopes, secret_sealed, expires_at)
            VALUES (${keyId}, ${input.tenantId}, ${input.name}, ${[...input.scopes]}, ${box.seal(secret, keyId)},
                    ${input.expiresAt ?? null})
            RETURNING created_at`.pipe(Effect.mapError(storeError("HMAC credential creation")))
          const created: CreatedHmacCredential = {
            keyId,
            tenantId: input.tenantId,
            name: input.name,
            scopes: [...input.scopes],
            createdAt: rows[0]?.created_at ?? new Date(),
            expiresAt: input.expiresAt,
            revokedAt: undefined,
            secret
          }
          return created
        })

        const table = credentialTable(sql, "identity_hmac_credentials", "HMAC credential")
        const rows = yield* RecentRows.make((keyId) =>
          sql<ResolveRow>`
            SELECT key_id, tenant_id, scopes, secret_sealed, revoked_at IS NOT NULL AS revoked, expires_at
            FROM identity_hmac_credentials WHERE key_id = ${keyId}`.pipe(
            Effect.map((found) => Option.fromUndefinedOr(found[0])),
            Effect.mapError(storeError("HMAC credential lookup")),
            (lookup) => withinLookupTimeout("HMAC credential lookup", lookup)
          )
        )
        const revoke = (keyId: string) => Effect.tap(table.revoke(keyId), () => rows.forget(keyId))

        const resolve = Effect.fnUntraced(function* (keyId: string) {
          if (box === undefined) return yield* new HmacUnavailable()
          if (!isHmacKeyId(keyId)) return yield* new HmacRejected({ reason: "malformed" })
          const row = Option.getOrUndefined(yield* rows.get(keyId))
          const sealed = row === undefined ? undefined : toBytes(row.secret_sealed)
          if (row === undefined || sealed === undefined) return yield* new HmacRejected({ reason: "unknown", keyId })
          const opened = box.open(sealed, row.key_id)
          if (Result.isFailure(opened)) {
            return yield* new IdentityStoreError({
              operation: "HMAC credential lookup",
              message: `The stored secret of ${keyId} cannot be decrypted: ${opened.failure}. Check hmac.masterKey.`
            })
          }
          const material: HmacKeyMaterial = {
            principal: { tenantId: row.tenant_id, subject: row.key_id, scopes: [...row.scopes], method: "hmac" },
            secret: opened.success,
            status: row.revoked
              ? "revoked"
              : row.expires_at !== null && new Date(row.expires_at).getTime() <= (yield* Clock.currentTimeMillis)
                ? "expired"
                : "active"
          }
          return material
        })

        return HmacCredentials.of({ create, list: table.list, revoke, resolve })
      })
    ).pipe(Layer.provide(IdentityMigrations.layer))
}
