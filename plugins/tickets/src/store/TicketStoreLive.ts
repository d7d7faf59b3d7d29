/**
 * `TicketStore` on PostgreSQL through `SqlClient` (tagged-template SQL, rows decoded with Effect Schema).
 */
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import {
  ConstraintViolation,
  InvalidTransition,
  TicketDeleted,
  TicketNotFound,
  UnknownUser,
  UserNotFound
} from "../domain/Errors.ts"
import { isStoredId } from "../domain/Id.ts"
import { allowedNext, canTransition, type Status } from "../domain/Status.ts"
import { mapConstraints, sqlDefects } from "./constraints.ts"
import * as Rows from "./rows.ts"
import { TicketStore, type TicketStoreShape } from "./TicketStore.ts"

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`)

const violation = (field: string, message: string) => () => new ConstraintViolation({ field, message })

const userConstraints = {
  users_tenant_email_key: violation("email", "email: a user with this email already exists."),
  users_email_check: violation("email", "email: must be an email address of at most 320 characters."),
  users_name_check: violation("name", "name: must have 1 to 200 characters, not all whitespace.")
}

const ticketChecks = {
  tickets_title_check: violation("title", "title: must have 1 to 200 characters, not all whitespace."),
  tickets_description_check: violation("description", "description: must have at most 10000 characters."),
  tickets_status_check: violation("status", "status: must be one of open, in_progress, resolved, closed, deleted."),
  tickets_priority_check: violation("priority", "priority: must be one of low, medium, high, urgent.")
}

/** Builds the store on the `SqlClient` in context. */
export const make: Effect.Effect<TicketStoreShape, never, SqlClient.SqlClient> = Effect.gen(function* () {
  // Row names are ours to choose: never let a client-wide name transform rewrite them.
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()
  const userCols = sql.literal(Rows.userColumns)
  const ticketCols = sql.literal(Rows.ticketColumns)
  const commentCols = sql.literal(Rows.commentColumns)

  const selectTicket = (tenantId: string, id: number, lock: boolean) =>
    sql`SELECT ${ticketCols} FROM tickets WHERE tenant_id = ${tenantId} AND id = ${id}${sql.literal(lock ? " FOR UPDATE" : "")}`.pipe(
      Effect.flatMap(Rows.tickets),
      Effect.flatMap((found) => {
        const ticket = found[0]
        return ticket === undefined ? Effect.fail(TicketNotFound.of(id)) : Effect.succeed(ticket)
      })
    )

  const findUser: TicketStoreShape["findUser"] = Effect.fn("TicketStore.findUser")(function* (tenantId, lookup) {
    const describe = "id" in lookup ? `id ${lookup.id}` : `email "${lookup.email}"`
    if ("id" in lookup && !isStoredId(lookup.id)) return yield* UserNotFound.of(describe)
    const where = "id" in lookup ? sql`id = ${lookup.id}` : sql`lower(email) = lower(${lookup.email})`
    const found = yield* sql`SELECT ${userCols} FROM users WHERE tenant_id = ${tenantId} AND ${where}`.pipe(
      sqlDefects,
      Effect.flatMap(Rows.users)
    )
    const user = found[0]
    return user === undefined ? yield* UserNotFound.of(describe) : user
  })

  const listUsers: TicketStoreShape["listUsers"] = (tenantId, limit) =>
    sql`SELECT ${userCols} FROM users WHERE tenant_id = ${tenantId} ORDER BY id LIMIT ${limit}`.pipe(
      sqlDefects,
      Effect.flatMap(Rows.users),
      Effect.withSpan("TicketStore.listUsers")
    )

  const createUser: TicketStoreShape["createUser"] = (tenantId, user) =>
    sql`INSERT INTO users (tenant_id, email, name) VALUES (${tenantId}, ${user.email.trim()}, ${user.name.trim()})
        RETURNING ${userCols}`.pipe(
      mapConstraints(userConstraints),
      Effect.flatMap(Rows.users),
      Effect.map((created) => created[0]!),
      Effect.withSpan("TicketStore.createUser")
    )

  const seedUsers: TicketStoreShape["seedUsers"] = (tenantId, users) =>
    sql
      .withTransaction(
        Effect.gen(function* () {
          // Two instances seeding the same tenant at once: the second waits, then finds the users.
          yield* sql`SELECT pg_advisory_xact_lock(hashtext(${`tickets.seed:${tenantId}`}))`
          const existing = yield* sql`SELECT 1 FROM users WHERE tenant_id = ${tenantId} LIMIT 1`
          if (existing.length > 0) return []
          const created = []
          for (const user of users) {
            const rows = yield* sql`INSERT INTO users (tenant_id, email, name)
              VALUES (${tenantId}, ${user.email}, ${user.name}) ON CONFLICT DO NOTHING RETURNING ${userCols}`
            created.push(...(yield* Rows.users(rows)))
          }
          return created
        })
      )
      .pipe(sqlDefects, Effect.withSpan("TicketStore.seedUsers"))

  const createTicket: TicketStoreShape["createTicket"] = (tenantId, ticket) => {
    if (ticket.assigneeId !== null && !isStoredId(ticket.assigneeId)) {
      return Effect.fail(UnknownUser.of("assigneeId", ticket.assigneeId))
    }
    if (!isStoredId(ticket.reporterId)) return Effect.fail(UnknownUser.of("reporterId", ticket.reporterId))
    return sql`INSERT INTO tickets (tenant_id, title, description, priority, assignee_id, reporter_id)
      VALUES (${tenantId}, ${ticket.title.trim()}, ${ticket.description}, ${ticket.priority}, ${ticket.assigneeId},
        ${ticket.reporterId})
      RETURNING ${ticketCols}`.pipe(
      mapConstraints<UnknownUser | ConstraintViolation>({
        ...ticketChecks,
        tickets_assignee_fkey: () => UnknownUser.of("assigneeId", ticket.assigneeId ?? 0),
        tickets_reporter_fkey: () => UnknownUser.of("reporterId", ticket.reporterId)
      }),
      Effect.flatMap(Rows.tickets),
      Effect.map((created) => created[0]!),
      Effect.withSpan("TicketStore.createTicket")
    )
  }

  const getTicket: TicketStoreShape["getTicket"] = Effect.fn("TicketStore.getTicket")(function* (tenantId, id) {
    if (!isStoredId(id)) return yield* TicketNotFound.of(id)
    const ticket = yield* sqlDefects(selectTicket(tenantId, id, false))
    const comments = yield* sql`SELECT ${commentCols} FROM ticket_comments
      WHERE tenant_id = ${tenantId} AND ticket_id = ${id} ORDER BY id`.pipe(sqlDefects, Effect.flatMap(Rows.comments))
    return { ...ticket, comments }
  })

  const listTickets: TicketStoreShape["listTickets"] = (tenantId, query) => {
    if (query.assigneeId !== undefined && !isStoredId(query.assigneeId)) {
      return Effect.succeed({ tickets: [], hasMore: false })
    }
    if (query.beforeId !== undefined && !isStoredId(query.beforeId)) {
      return Effect.succeed({ tickets: [], hasMore: false })
    }
    const where = [sql`tenant_id = ${tenantId}`]
    where.push(query.status === undefined ? sql`status <> 'deleted'` : sql`status = ${query.status}`)
    if (query.priority !== undefined) where.push(sql`priority = ${query.priority}`)
    if (query.assigneeId !== undefined) where.push(sql`assignee_id = ${query.assigneeId}`)
    if (query.search !== undefined && query.search !== "") {
      where.push(sql`title ILIKE ${`%${escapeLike(query.search)}%`}`)
    }
    if (query.beforeId !== undefined) where.push(sql`id < ${query.beforeId}`)
    return sql`SELECT ${ticketCols} FROM tickets WHERE ${sql.and(where)} ORDER BY id DESC LIMIT ${query.limit + 1}`.pipe(
      sqlDefects,
      Effect.flatMap(Rows.tickets),
      Effect.map((rows) => ({ tickets: rows.slice(0, query.limit), hasMore: rows.length > query.limit })),
      Effect.withSpan("TicketStore.listTickets")
    )
  }

  const setStatus: TicketStoreShape["setStatus"] = (tenantId, id, status: Status) => {
    if (!isStoredId(id)) return Effect.fail(TicketNotFound.of(id))
    return sql
      .withTransaction(
        Effect.gen(function* () {
          const ticket = yield* selectTicket(tenantId, id, true)
          if (ticket.status === status) return { ticket, previousStatus: status, changed: false }
          if (!canTransition(ticket.status, status)) {
            return yield* InvalidTransition.of(id, ticket.status, status, allowedNext(ticket.status))
          }
          const deletedAt = status === "deleted" ? sql`now()` : sql`NULL`
          const updated =
            yield* sql`UPDATE tickets SET status = ${status}, updated_at = now(), deleted_at = ${deletedAt}
            WHERE tenant_id = ${tenantId} AND id = ${id} RETURNING ${ticketCols}`.pipe(Effect.flatMap(Rows.tickets))
          return { ticket: updated[0]!, previousStatus: ticket.status, changed: true }
        })
      )
      .pipe(sqlDefects, Effect.withSpan("TicketStore.setStatus"))
  }

  const addComment: TicketStoreShape["addComment"] = (tenantId, comment) => {
    if (!isStoredId(comment.ticketId)) return Effect.fail(TicketNotFound.of(comment.ticketId))
    if (!isStoredId(comment.authorId)) return Effect.fail(UnknownUser.of("authorId", comment.authorId))
    return sql
      .withTransaction(
        Effect.gen(function* () {
          // Locks the ticket so that it cannot be deleted while the comment is added.
          const ticket = yield* selectTicket(tenantId, comment.ticketId, true)
          if (ticket.status === "deleted") return yield* TicketDeleted.of(ticket.id)
          const rows = yield* sql`INSERT INTO ticket_comments (tenant_id, ticket_id, author_id, body)
            VALUES (${tenantId}, ${comment.ticketId}, ${comment.authorId}, ${comment.body})
            RETURNING ${commentCols}`
          yield* sql`UPDATE tickets SET updated_at = now() WHERE tenant_id = ${tenantId} AND id = ${comment.ticketId}`
          return (yield* Rows.comments(rows))[0]!
        })
      )
      .pipe(
        mapConstraints<UnknownUser | TicketNotFound | ConstraintViolation>({
          ticket_comments_author_fkey: () => UnknownUser.of("authorId", comment.authorId),
          ticket_comments_ticket_fkey: () => TicketNotFound.of(comment.ticketId),
          ticket_comments_body_check: violation("body", "body: must have 1 to 10000 characters, not all whitespace.")
        }),
        Effect.withSpan("TicketStore.addComment")
      )
  }

  const ticketIdsStartingWith: TicketStoreShape["ticketIdsStartingWith"] = (tenantId, prefix, limit) => {
    if (!/^\d*$/.test(prefix) || prefix.length > 10) return Effect.succeed([])
    return sql<{ readonly id: number }>`SELECT id FROM tickets
      WHERE tenant_id = ${tenantId} AND status <> 'deleted' AND id::text LIKE ${`${prefix}%`}
      ORDER BY id DESC LIMIT ${limit}`.pipe(
      sqlDefects,
      Effect.map((rows) => rows.map((row) => row.id)),
      Effect.withSpan("TicketStore.ticketIdsStartingWith")
    )
  }

  return TicketStore.of({
    ping: sql`SELECT 1`.pipe(Effect.asVoid, Effect.orDie),
    findUser,
    listUsers,
    createUser,
    seedUsers,
    createTicket,
    getTicket,
    listTickets,
    setStatus,
    addComment,
    ticketIdsStartingWith
  })
})

/** `TicketStore` on the `SqlClient` in context (the schema must exist: see `TicketsLive`, which migrates first). */
export const layer: Layer.Layer<TicketStore, never, SqlClient.SqlClient> = Layer.effect(TicketStore, make)
