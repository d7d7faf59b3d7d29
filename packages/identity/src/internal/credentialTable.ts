/** What API keys and HMAC credentials share in storage: listing (never secrets) and revocation, per table. */
import { Effect } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import { type CredentialInfo, type CredentialRow, toInfo } from "../Credential.ts"
import { CredentialNotFound, type IdentityStoreError } from "../errors.ts"
import { storeError } from "./sql.ts"

/** The operations on one credential table, `what` naming it in store errors ("API key", "HMAC credential"). */
export const credentialTable = (sql: SqlClient, table: string, what: string) => ({
  list: (tenantId?: string): Effect.Effect<ReadonlyArray<CredentialInfo>, IdentityStoreError> =>
    (tenantId === undefined
      ? sql<CredentialRow>`
          SELECT key_id, tenant_id, name, scopes, created_at, expires_at, revoked_at
          FROM ${sql(table)} ORDER BY created_at, key_id`
      : sql<CredentialRow>`
          SELECT key_id, tenant_id, name, scopes, created_at, expires_at, revoked_at
          FROM ${sql(table)} WHERE tenant_id = ${tenantId} ORDER BY created_at, key_id`
    ).pipe(
      Effect.map((rows) => rows.map(toInfo)),
      Effect.mapError(storeError(`${what} listing`))
    ),
  revoke: (keyId: string): Effect.Effect<void, CredentialNotFound | IdentityStoreError> =>
    sql`
      UPDATE ${sql(table)} SET revoked_at = COALESCE(revoked_at, now())
      WHERE key_id = ${keyId} RETURNING key_id`.pipe(
      Effect.mapError(storeError(`${what} revocation`)),
      Effect.flatMap((rows) => (rows.length === 0 ? Effect.fail(new CredentialNotFound({ keyId })) : Effect.void))
    )
})
