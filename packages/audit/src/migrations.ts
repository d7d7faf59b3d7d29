/**
 * The audit table, owned by "audit": append-only (triggers refuse UPDATE, DELETE and TRUNCATE; only a role that
 * may alter the table, its owner or a superuser, can disable them, and the hash chain shows what was changed).
 *
 * @since 0.1.0
 */
import type { Migration } from "@bulwark/database"

/** The migrations' owner name in `bulwark_migrations`. */
export const owner = "audit"

/** The audit table. */
export const table = "audit_log"

/** The schema of the audit log. Ids never change once shipped; add new migrations at the end. */
export const auditMigrations: ReadonlyArray<Migration> = [
  {
    id: "0001",
    name: "create append-only audit_log",
    up: `
      CREATE TABLE audit_log (
        id bigint PRIMARY KEY CHECK (id > 0),
        time timestamptz NOT NULL,
        tenant_id text,
        principal_subject text,
        principal_method text,
        method text,
        target text,
        arguments jsonb,
        outcome text NOT NULL CHECK (outcome IN ('success', 'tool_error', 'input_required', 'protocol_error', 'rejected', 'cancelled')),
        rejected_by text,
        error_code integer,
        reason text,
        duration_ms double precision NOT NULL,
        request_id text NOT NULL,
        trace_id text,
        prev_hash text NOT NULL,
        hash text NOT NULL UNIQUE
      );
      CREATE INDEX audit_log_tenant ON audit_log (tenant_id, id);
      CREATE INDEX audit_log_target ON audit_log (target, id);
      CREATE INDEX audit_log_time ON audit_log (time);
      CREATE INDEX audit_log_request ON audit_log (request_id);
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $$;
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
    `
  },
  {
    id: "0002",
    name: "outcome internal_error",
    up: `
      ALTER TABLE audit_log DROP CONSTRAINT audit_log_outcome_check;
      ALTER TABLE audit_log ADD CONSTRAINT audit_log_outcome_check CHECK (outcome IN
        ('success', 'tool_error', 'input_required', 'rejected', 'protocol_error', 'internal_error', 'cancelled'));
    `
  },
  {
    // Every hash covers its record's id, which the primary key keeps unique: two rows share a hash only on a
    // SHA-256 collision. No query looks rows up by hash, and its index (64 random characters a row) was a third of
    // PostgreSQL's work per appended row.
    id: "0003",
    name: "drop the redundant unique index on hash",
    up: `ALTER TABLE audit_log DROP CONSTRAINT audit_log_hash_key;`
  },
  {
    // Rows are appended in time order, so a block range index serves `from`/`to` as well as a B-tree for a fraction
    // of its size, and costs an appended row next to nothing (`pnpm bench:audit`: PostgreSQL's CPU a row 15.9-19.2 µs
    // against 16.4-20.7 with the B-tree, alternating).
    id: "0004",
    name: "time index as a block range index",
    up: `DROP INDEX audit_log_time; CREATE INDEX audit_log_time ON audit_log USING brin (time);`
  }
]
