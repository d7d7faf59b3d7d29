/**
 * The `TicketStore` service: every read and write of the tickets tables, always for one tenant.
 */

import type { Effect } from "effect"
import { Context } from "effect"
import type {
  ConstraintViolation,
  InvalidTransition,
  TicketDeleted,
  TicketNotFound,
  UnknownUser,
  UserNotFound
} from "../domain/Errors.ts"
import type { Comment, StatusChange, Ticket, TicketPage, TicketWithComments, User } from "../domain/Model.ts"
import type { Priority, Status } from "../domain/Status.ts"

/** A user to create. */
export interface NewUser {
  readonly email: string
  readonly name: string
}

/** A ticket to create; it starts `open`. */
export interface NewTicket {
  readonly title: string
  readonly description: string
  readonly priority: Priority
  readonly assigneeId: number | null
  readonly reporterId: number
}

/** Which tickets to list, newest first. Absent filters do not filter; without `status`, deleted tickets are left out. */
export interface TicketQuery {
  readonly status?: Status | undefined
  readonly priority?: Priority | undefined
  readonly assigneeId?: number | undefined
  /** Case-insensitive substring of the title. */
  readonly search?: string | undefined
  /** Only tickets with an id below this one (the previous page's last id). */
  readonly beforeId?: number | undefined
  readonly limit: number
}

/** A comment to add. */
export interface NewComment {
  readonly ticketId: number
  readonly authorId: number
  readonly body: string
}

/** How a user is looked up. */
export type UserLookup = { readonly id: number } | { readonly email: string }

/**
 * Typed queries over the tickets tables. Every operation takes the tenant id and touches only that tenant's rows:
 * another tenant's users and tickets are indistinguishable from ones that do not exist. Constraint violations fail
 * with domain errors; any other SQL failure is a defect.
 */
export interface TicketStoreShape {
  /** Asks the database for an answer (`SELECT 1`): the health probe of the plugin's backend. */
  readonly ping: Effect.Effect<void>
  readonly findUser: (tenantId: string, lookup: UserLookup) => Effect.Effect<User, UserNotFound>
  /** The tenant's users, oldest first, at most `limit`. */
  readonly listUsers: (tenantId: string, limit: number) => Effect.Effect<ReadonlyArray<User>>
  readonly createUser: (tenantId: string, user: NewUser) => Effect.Effect<User, ConstraintViolation>
  /** Creates `users` only if the tenant has no users yet; returns the users created (none if it had some). */
  readonly seedUsers: (tenantId: string, users: ReadonlyArray<NewUser>) => Effect.Effect<ReadonlyArray<User>>
  readonly createTicket: (
    tenantId: string,
    ticket: NewTicket
  ) => Effect.Effect<Ticket, UnknownUser | ConstraintViolation>
  /** A ticket (deleted ones included) with its comments, oldest first. */
  readonly getTicket: (tenantId: string, id: number) => Effect.Effect<TicketWithComments, TicketNotFound>
  readonly listTickets: (tenantId: string, query: TicketQuery) => Effect.Effect<TicketPage>
  /** Moves a ticket to `status` if the transition is allowed; setting the current status again changes nothing. */
  readonly setStatus: (
    tenantId: string,
    id: number,
    status: Status
  ) => Effect.Effect<StatusChange, TicketNotFound | InvalidTransition>
  readonly addComment: (
    tenantId: string,
    comment: NewComment
  ) => Effect.Effect<Comment, TicketNotFound | TicketDeleted | UnknownUser | ConstraintViolation>
  /** Ids of the tenant's tickets (not deleted) whose decimal form starts with `prefix`, newest first. */
  readonly ticketIdsStartingWith: (
    tenantId: string,
    prefix: string,
    limit: number
  ) => Effect.Effect<ReadonlyArray<number>>
}

/** The tickets repository, built on `SqlClient` by `TicketStoreLive` (see `./TicketStoreLive.ts`). */
export class TicketStore extends Context.Service<TicketStore, TicketStoreShape>()(
  "@bulwark/plugin-tickets/TicketStore"
) {}
