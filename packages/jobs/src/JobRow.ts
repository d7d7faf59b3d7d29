/**
 * The jobs table's row and how it becomes a `Job`.
 *
 * @since 0.1.0
 */
import type { JsonValue } from "@bulwark/core"
import type { Job, JobError, JobStatus } from "./Job.ts"

/** A row of `bulwark_jobs` as the driver returns it. */
export interface JobRow {
  readonly id: string
  readonly tenant_id: string
  readonly principal: string
  readonly kind: string
  readonly name: string
  readonly input: JsonValue
  readonly answers: Record<string, JsonValue> | null
  readonly input_requests: Record<string, JsonValue> | null
  readonly status: JobStatus
  readonly status_message: string | null
  readonly cancel_requested: boolean
  readonly progress: number | null
  readonly progress_total: number | null
  readonly result: JsonValue | null
  readonly error: JobError | null
  readonly attempts: number
  readonly max_attempts: number
  readonly round: number
  readonly runner: string | null
  readonly keep_ms: string | number
  readonly created_at: Date | string
  readonly updated_at: Date | string
  readonly expires_at: Date | string
}

const date = (value: Date | string): Date => (value instanceof Date ? value : new Date(value))

/** The job a row holds. */
export const toJob = (row: JobRow): Job => ({
  id: row.id,
  tenantId: row.tenant_id,
  principal: row.principal,
  kind: row.kind,
  name: row.name,
  input: row.input,
  answers: row.answers ?? {},
  status: row.status,
  statusMessage: row.status_message ?? undefined,
  inputRequests: row.input_requests ?? undefined,
  progress:
    row.progress === null
      ? undefined
      : { progress: row.progress, total: row.progress_total === null ? undefined : row.progress_total },
  result: row.result ?? undefined,
  error: row.error ?? undefined,
  attempts: row.attempts,
  maxAttempts: row.max_attempts,
  createdAt: date(row.created_at),
  updatedAt: date(row.updated_at),
  expiresAt: date(row.expires_at)
})

/** JSON text for a jsonb parameter. */
export const jsonb = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value))
