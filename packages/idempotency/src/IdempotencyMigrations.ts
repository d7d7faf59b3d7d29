/**
 * The idempotency keys' table, owned by "idempotency". Ids never change once shipped.
 *
 * @since 0.1.0
 */
import { type Migration, Migrations } from "@bulwark/database"

/** The migration owner name in `bulwark_migrations`. */
export const owner = "idempotency"

/** The migrations, in apply order. */
export const migrations: ReadonlyArray<Migration> = [
  {
    id: "0001",
    name: "create idempotency keys",
    up: `CREATE TABLE idempotency_keys (
      tenant_id text NOT NULL,
      principal text NOT NULL,
      key text NOT NULL,
      tool text NOT NULL,
      arguments_hash text NOT NULL,
      state text NOT NULL CHECK (state IN ('running', 'done')),
      result jsonb,
      lease_until timestamptz,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, principal, key)
    );
    CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at)`
  }
]

/** Registers and applies the migrations while the layer is built. */
export const layer = Migrations.layer(owner, migrations)
