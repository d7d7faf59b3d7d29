/**
 * The jobs table, owned by "jobs": the source of truth for what clients see of a job (status, progress, questions,
 * result). The delivery queue beside it (`bulwark_job_queue`) is Effect's `PersistedQueue`, which migrates its own
 * table. Ids never change once shipped.
 *
 * @since 0.1.0
 */
import { type Migration, Migrations } from "@bulwark/database"

/** The migration owner name in `bulwark_migrations`. */
export const owner = "jobs"

/** The migrations, in apply order. */
export const migrations: ReadonlyArray<Migration> = [
  {
    id: "0001",
    name: "create jobs",
    up: `CREATE TABLE bulwark_jobs (
      id text PRIMARY KEY,
      tenant_id text NOT NULL,
      principal text NOT NULL,
      kind text NOT NULL,
      name text NOT NULL,
      input jsonb NOT NULL,
      answers jsonb NOT NULL DEFAULT '{}',
      input_requests jsonb,
      status text NOT NULL
        CHECK (status IN ('queued', 'working', 'input_required', 'completed', 'failed', 'cancelled')),
      status_message text,
      cancel_requested boolean NOT NULL DEFAULT false,
      progress double precision,
      progress_total double precision,
      result jsonb,
      error jsonb,
      attempts integer NOT NULL DEFAULT 0,
      max_attempts integer NOT NULL,
      round integer NOT NULL DEFAULT 0,
      runner text,
      heartbeat_at timestamptz,
      keep_ms bigint NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    );
    CREATE INDEX bulwark_jobs_running ON bulwark_jobs (tenant_id) WHERE status = 'working';
    CREATE INDEX bulwark_jobs_expires ON bulwark_jobs (expires_at)`
  }
]

/** Registers and applies the migrations while the layer is built. */
export const layer = Migrations.layer(owner, migrations)
