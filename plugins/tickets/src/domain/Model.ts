/**
 * The tickets domain as the tools return it: users, tickets and comments, with timestamps as ISO 8601 strings.
 */
import { Schema } from "effect"
import { Priority, Status } from "./Status.ts"

const Timestamp = Schema.String.annotate({ description: "ISO 8601 timestamp (UTC)" })

/** A person tickets can be reported by, assigned to and commented on by. */
export const User = Schema.Struct({
  id: Schema.Int,
  email: Schema.String,
  name: Schema.String,
  createdAt: Timestamp
})

/** A user. */
export type User = typeof User.Type

/** A ticket, without its comments. */
export const Ticket = Schema.Struct({
  id: Schema.Int,
  title: Schema.String,
  description: Schema.String,
  status: Status,
  priority: Priority,
  assigneeId: Schema.NullOr(Schema.Int).annotate({ description: "The assigned user's id, or null when unassigned" }),
  reporterId: Schema.Int,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  deletedAt: Schema.NullOr(Timestamp)
})

/** A ticket. */
export type Ticket = typeof Ticket.Type

/** A comment on a ticket. */
export const Comment = Schema.Struct({
  id: Schema.Int,
  ticketId: Schema.Int,
  authorId: Schema.Int,
  body: Schema.String,
  createdAt: Timestamp
})

/** A comment. */
export type Comment = typeof Comment.Type

/** A ticket with its comments, oldest comment first. */
export const TicketWithComments = Schema.Struct({
  ...Ticket.fields,
  comments: Schema.Array(Comment)
})

/** A ticket with its comments. */
export type TicketWithComments = typeof TicketWithComments.Type

/** One page of tickets, newest first; `hasMore` says whether a further page exists after the last ticket. */
export interface TicketPage {
  readonly tickets: ReadonlyArray<Ticket>
  readonly hasMore: boolean
}

/** The result of a status change: the ticket afterwards, its previous status and whether anything changed. */
export const StatusChange = Schema.Struct({
  ticket: Ticket,
  previousStatus: Status,
  changed: Schema.Boolean.annotate({ description: "false when the ticket already had the requested status" })
})

/** A status change. */
export type StatusChange = typeof StatusChange.Type
