/**
 * The tables of tenancy, owned by migrations of `"tenancy"`.
 *
 * @since 0.1.0
 */
import { type Migration, Migrations } from "@bulwark/database"

/** The migration owner of tenancy's tables. */
export const owner = "tenancy"

/** Tenants, kill switches and quota usage. Never change a shipped migration: add one. */
export const migrations: ReadonlyArray<Migration> = [
  {
    id: "0001",
    name: "tenants, kill switches and quota usage",
    up: `
      CREATE TABLE tenancy_tenants (
        id text PRIMARY KEY,
        config jsonb NOT NULL,
        source text NOT NULL CHECK (source IN ('config', 'admin')),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE tenancy_switches (
        kind text NOT NULL CHECK (kind IN ('tool', 'plugin', 'backend', 'tenant')),
        target text NOT NULL,
        reason text NOT NULL,
        actor text NOT NULL,
        since timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (kind, target)
      );
      CREATE TABLE tenancy_usage (
        tenant_id text NOT NULL,
        period text NOT NULL CHECK (period IN ('day', 'month')),
        period_start date NOT NULL,
        units bigint NOT NULL CHECK (units >= 0),
        PRIMARY KEY (tenant_id, period, period_start)
      )
    `
  }
]

/** Registers tenancy's migrations and applies them while the layer is built. */
export const layer = Migrations.layer(owner, migrations)
