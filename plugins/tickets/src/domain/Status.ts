/**
 * Ticket statuses and priorities, and which status changes are allowed. Pure: no I/O, no Effect.
 */
import { Schema } from "effect"

/** Every status a ticket can have, in lifecycle order. */
export const statuses = ["open", "in_progress", "resolved", "closed", "deleted"] as const

/** A ticket's status. */
export type Status = (typeof statuses)[number]

/** A ticket's status, as a schema (enum of literals). */
export const Status = Schema.Literals(statuses)

/** Every priority a ticket can have, lowest first. */
export const priorities = ["low", "medium", "high", "urgent"] as const

/** A ticket's priority. */
export type Priority = (typeof priorities)[number]

/** A ticket's priority, as a schema (enum of literals). */
export const Priority = Schema.Literals(priorities)

/**
 * The statuses a ticket may move to from each status. Setting the status a ticket already has is always allowed and
 * changes nothing; `deleted` is terminal.
 */
export const transitions: { readonly [S in Status]: ReadonlyArray<Status> } = {
  open: ["in_progress", "resolved", "closed", "deleted"],
  in_progress: ["open", "resolved", "closed", "deleted"],
  resolved: ["open", "in_progress", "closed", "deleted"],
  closed: ["open", "deleted"],
  deleted: []
}

/** The statuses a ticket in `from` may move to (excluding `from` itself). */
export const allowedNext = (from: Status): ReadonlyArray<Status> => transitions[from]

/** Whether a ticket in `from` may be set to `to`; setting the current status again is allowed (a no-op). */
export const canTransition = (from: Status, to: Status): boolean => from === to || transitions[from].includes(to)
