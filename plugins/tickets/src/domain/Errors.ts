/**
 * The tickets plugin's domain errors. Each carries a `message` written for the agent: what went wrong and what to do.
 */
import { Schema } from "effect"
import { type Status, Status as StatusSchema } from "./Status.ts"

/** No ticket with this id exists for the tenant (tickets of other tenants look exactly like this). */
export class TicketNotFound extends Schema.TaggedError<TicketNotFound>()("TicketNotFound", {
  id: Schema.Int,
  message: Schema.String
}) {
  /** The error for ticket `id`. */
  static of(id: number): TicketNotFound {
    return new TicketNotFound({
      id,
      message: `Ticket ${id} does not exist. Use list_tickets to find ticket ids.`
    })
  }
}

/** `fetch_user` found no user with this id or email for the tenant. */
export class UserNotFound extends Schema.TaggedError<UserNotFound>()("UserNotFound", {
  lookup: Schema.String,
  message: Schema.String
}) {
  /** The error for a lookup such as `id 7` or `email "ada@example.com"`. */
  static of(lookup: string): UserNotFound {
    return new UserNotFound({
      lookup,
      message: `No user with ${lookup} exists. Check the id or email; user ids are positive integers.`
    })
  }
}

/** An input field names a user that does not exist (a foreign key to `users` was violated). */
export class UnknownUser extends Schema.TaggedError<UnknownUser>()("UnknownUser", {
  field: Schema.String,
  userId: Schema.Int,
  message: Schema.String
}) {
  /** The error for `field` (e.g. `assigneeId`) naming user `userId`. */
  static of(field: string, userId: number): UnknownUser {
    return new UnknownUser({
      field,
      userId,
      message: `${field}: user ${userId} does not exist. Use fetch_user (by email) to find the right user id.`
    })
  }
}

/** The requested status change is not allowed from the ticket's current status. */
export class InvalidTransition extends Schema.TaggedError<InvalidTransition>()("InvalidTransition", {
  id: Schema.Int,
  from: StatusSchema,
  to: StatusSchema,
  allowed: Schema.Array(StatusSchema),
  message: Schema.String
}) {
  /** The error for moving ticket `id` from `from` to `to`, given the statuses allowed from `from`. */
  static of(id: number, from: Status, to: Status, allowed: ReadonlyArray<Status>): InvalidTransition {
    const next =
      allowed.length === 0
        ? `"${from}" is final: no status change is possible.`
        : `From "${from}" it can move to: ${allowed.join(", ")}.`
    return new InvalidTransition({
      id,
      from,
      to,
      allowed: [...allowed],
      message: `Ticket ${id} cannot change from "${from}" to "${to}". ${next}`
    })
  }
}

/** The ticket is deleted, so it no longer accepts comments. */
export class TicketDeleted extends Schema.TaggedError<TicketDeleted>()("TicketDeleted", {
  id: Schema.Int,
  message: Schema.String
}) {
  /** The error for ticket `id`. */
  static of(id: number): TicketDeleted {
    return new TicketDeleted({
      id,
      message: `Ticket ${id} is deleted and no longer accepts comments. Create a new ticket instead.`
    })
  }
}

/** A `cursor` argument that `list_tickets` did not produce. */
export class InvalidCursor extends Schema.TaggedError<InvalidCursor>()("InvalidCursor", {
  message: Schema.String
}) {
  /** The error for any malformed cursor. */
  static of(): InvalidCursor {
    return new InvalidCursor({
      message:
        "cursor: not a cursor returned by list_tickets. Pass the nextCursor of a previous call unchanged, or omit cursor to start from the newest ticket."
    })
  }
}

/** A value broke a rule of the stored data (a database check or unique constraint) that input validation missed. */
export class ConstraintViolation extends Schema.TaggedError<ConstraintViolation>()("ConstraintViolation", {
  field: Schema.String,
  message: Schema.String
}) {}

/** Any domain error a tickets tool can fail with. */
export type TicketsError =
  | TicketNotFound
  | UserNotFound
  | UnknownUser
  | InvalidTransition
  | TicketDeleted
  | InvalidCursor
  | ConstraintViolation
