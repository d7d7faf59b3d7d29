/**
 * Row schemas for the tickets tables (snake_case, as selected) and their mapping to the domain model.
 *
 * @internal
 */
import { Effect, Schema } from "effect"
import type { Comment, Ticket, User } from "../domain/Model.ts"
import { Priority, Status } from "../domain/Status.ts"

/** The columns selected for a user, matching {@link UserRow}. */
export const userColumns = "id, email, name, created_at"

/** A `users` row. */
export const UserRow = Schema.Struct({
  id: Schema.Int,
  email: Schema.String,
  name: Schema.String,
  created_at: Schema.Date
})

/** The columns selected for a ticket, matching {@link TicketRow}. */
export const ticketColumns =
  "id, title, description, status, priority, assignee_id, reporter_id, created_at, updated_at, deleted_at"

/** A `tickets` row. */
export const TicketRow = Schema.Struct({
  id: Schema.Int,
  title: Schema.String,
  description: Schema.String,
  status: Status,
  priority: Priority,
  assignee_id: Schema.NullOr(Schema.Int),
  reporter_id: Schema.Int,
  created_at: Schema.Date,
  updated_at: Schema.Date,
  deleted_at: Schema.NullOr(Schema.Date)
})

/** The columns selected for a comment, matching {@link CommentRow}. */
export const commentColumns = "id, ticket_id, author_id, body, created_at"

/** A `ticket_comments` row. */
export const CommentRow = Schema.Struct({
  id: Schema.Int,
  ticket_id: Schema.Int,
  author_id: Schema.Int,
  body: Schema.String,
  created_at: Schema.Date
})

const decodeUsers = Schema.decodeUnknownEffect(Schema.Array(UserRow))
const decodeTickets = Schema.decodeUnknownEffect(Schema.Array(TicketRow))
const decodeComments = Schema.decodeUnknownEffect(Schema.Array(CommentRow))

/** Rows that do not match their schema mean the schema and the code disagree: a defect, not a domain error. */
export const users = (rows: ReadonlyArray<unknown>): Effect.Effect<ReadonlyArray<User>> =>
  decodeUsers(rows).pipe(
    Effect.map((decoded) =>
      decoded.map((row) => ({ id: row.id, email: row.email, name: row.name, createdAt: row.created_at.toISOString() }))
    ),
    Effect.orDie
  )

/** Decodes `tickets` rows into tickets. */
export const tickets = (rows: ReadonlyArray<unknown>): Effect.Effect<ReadonlyArray<Ticket>> =>
  decodeTickets(rows).pipe(
    Effect.map((decoded) =>
      decoded.map((row) => ({
        id: row.id,
        title: row.title,
        description: row.description,
        status: row.status,
        priority: row.priority,
        assigneeId: row.assignee_id,
        reporterId: row.reporter_id,
        createdAt: row.created_at.toISOString(),
        updatedAt: row.updated_at.toISOString(),
        deletedAt: row.deleted_at === null ? null : row.deleted_at.toISOString()
      }))
    ),
    Effect.orDie
  )

/** Decodes `ticket_comments` rows into comments. */
export const comments = (rows: ReadonlyArray<unknown>): Effect.Effect<ReadonlyArray<Comment>> =>
  decodeComments(rows).pipe(
    Effect.map((decoded) =>
      decoded.map((row) => ({
        id: row.id,
        ticketId: row.ticket_id,
        authorId: row.author_id,
        body: row.body,
        createdAt: row.created_at.toISOString()
      }))
    ),
    Effect.orDie
  )
