/**
 * The identity schema, owned by "identity". Ids never change once shipped.
 *
 * @since 0.1.0
 */
import { type Migration, Migrations } from "@bulwark/database"

/** The migration owner name in `bulwark_migrations`. */
export const owner = "identity"

/** The identity migrations, in apply order. */
export const migrations: ReadonlyArray<Migration> = [
  {
    id: "0001",
    name: "create api keys",
    up: `CREATE TABLE identity_api_keys (
      key_id text PRIMARY KEY,
      tenant_id text NOT NULL,
      name text NOT NULL,
      scopes text[] NOT NULL DEFAULT '{}',
      secret_sha256 bytea NOT NULL CHECK (octet_length(secret_sha256) = 32),
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz,
      revoked_at timestamptz
    );
    CREATE INDEX identity_api_keys_tenant ON identity_api_keys (tenant_id)`
  },
  {
    id: "0002",
    name: "create hmac credentials",
    up: `CREATE TABLE identity_hmac_credentials (
      key_id text PRIMARY KEY,
      tenant_id text NOT NULL,
      name text NOT NULL,
      scopes text[] NOT NULL DEFAULT '{}',
      secret_sealed bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz,
      revoked_at timestamptz
    );
    CREATE INDEX identity_hmac_credentials_tenant ON identity_hmac_credentials (tenant_id)`
  }
]

/** Registers and applies the identity migrations while the layer is built. */
export const layer = Migrations.layer(owner, migrations)
