/**
 * A durable job as its owner sees it: what it runs (a kind and a name, e.g. the tool `generate_report`), for whom
 * (tenant and principal), where it stands (status, progress, the questions it waits on), and how it ended (a result,
 * or a protocol error). Also what an executor answers when a run ends.
 *
 * @since 0.1.0
 */
import type { JsonValue } from "@bulwark/core"

/**
 * Where a job stands: `queued` (waiting for a worker), `working`, `input_required` (waiting for answers),
 * `completed` (it ran: its result may still be an error the tool reported), `failed` (a protocol error, or it could
 * not be run), `cancelled`.
 */
export type JobStatus = "queued" | "working" | "input_required" | "completed" | "failed" | "cancelled"

/** Statuses a job never leaves. */
export const isTerminal = (status: JobStatus): boolean =>
  status === "completed" || status === "failed" || status === "cancelled"

/** Who a job belongs to: only they can see, answer or cancel it. */
export interface JobOwner {
  readonly tenantId: string
  readonly principal: string
}

/** A JSON-RPC error, as a failed job keeps it. */
export interface JobError {
  readonly code: number
  readonly message: string
  readonly data?: JsonValue
}

/** A job. */
export interface Job extends JobOwner {
  readonly id: string
  readonly kind: string
  readonly name: string
  /** What the executor needs to run it (for a tool: its arguments and the caller's context). */
  readonly input: JsonValue
  /** Answers to the questions it asked so far, by question key. */
  readonly answers: Readonly<Record<string, JsonValue>>
  readonly status: JobStatus
  readonly statusMessage: string | undefined
  /** The questions it waits on (`input_required`), by key. */
  readonly inputRequests: Readonly<Record<string, JsonValue>> | undefined
  readonly progress: { readonly progress: number; readonly total: number | undefined } | undefined
  readonly result: JsonValue | undefined
  readonly error: JobError | undefined
  readonly attempts: number
  readonly maxAttempts: number
  readonly createdAt: Date
  readonly updatedAt: Date
  /** When it may be forgotten. */
  readonly expiresAt: Date
}

/** What a run of a job came to. */
export type JobOutcome =
  | { readonly _tag: "Completed"; readonly result: JsonValue }
  | { readonly _tag: "InputRequired"; readonly requests: Readonly<Record<string, JsonValue>> }
  | { readonly _tag: "Failed"; readonly error: JobError }

/** The run produced its result. */
export const completed = (result: JsonValue): JobOutcome => ({ _tag: "Completed", result })

/** The run needs answers first: the job waits until every question is answered, then runs again. */
export const inputRequired = (requests: Readonly<Record<string, JsonValue>>): JobOutcome => ({
  _tag: "InputRequired",
  requests
})

/** The run ended in a protocol error (not retried). */
export const failed = (error: JobError): JobOutcome => ({ _tag: "Failed", error })
