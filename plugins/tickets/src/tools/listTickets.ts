/**
 * `list_tickets`: filtered, cursor-paginated listing, newest first.
 */
import { Tool } from "@bulwark/core"
import { Effect, Schema } from "effect"
import { ticketsDatabase } from "../backends.ts"
import { cacheTimes, ticketListsTag } from "../cacheTags.ts"
import * as Cursor from "../domain/Cursor.ts"
import { InvalidCursor } from "../domain/Errors.ts"
import { Ticket } from "../domain/Model.ts"
import { Priority, Status } from "../domain/Status.ts"
import { TicketStore } from "../store/TicketStore.ts"
import { text, userId } from "./fields.ts"

/** The page size when `limit` is omitted. */
export const defaultLimit = 20

const Input = Schema.Struct({
  status: Schema.optionalKey(
    Status.annotate({ description: "Only tickets with this status. Without it, deleted tickets are left out." })
  ),
  priority: Schema.optionalKey(Priority.annotate({ description: "Only tickets with this priority" })),
  assigneeId: Schema.optionalKey(userId("Only tickets assigned to this user id")),
  search: Schema.optionalKey(text(200, "Only tickets whose title contains this text (case-insensitive)")),
  limit: Schema.optionalKey(
    Schema.Int.annotate({ description: `How many tickets to return, 1-100 (default ${defaultLimit})` }).check(
      Schema.isBetween({ minimum: 1, maximum: 100 })
    )
  ),
  cursor: Schema.optionalKey(
    text(200, "The nextCursor of the previous call, to get the next page; omit for the first page")
  )
})

const Output = Schema.Struct({
  tickets: Schema.Array(Ticket),
  nextCursor: Schema.optionalKey(
    Schema.String.annotate({ description: "Pass as cursor to get the next page; absent on the last page" })
  )
})

/** Lists the current tenant's tickets, newest first, one page at a time. */
export const listTickets = Tool.make("list_tickets", {
  title: "List tickets",
  description:
    "List tickets, newest first, optionally filtered by status, priority, assignee and text in the title (filters " +
    "combine with AND). Returns up to limit tickets (default 20) and, when more match, a nextCursor: call again " +
    "with the same filters and that cursor for the next page. Comments are not included; use get_ticket for them.",
  input: Input,
  output: Output,
  errors: [InvalidCursor],
  backends: [ticketsDatabase],
  hints: { readOnly: true, destructive: false, idempotent: true, openWorld: false },
  cache: { ttl: cacheTimes.lists, tags: () => [ticketListsTag], staleIfError: cacheTimes.staleIfError },
  handler: (input, ctx) =>
    Effect.gen(function* () {
      const store = yield* TicketStore
      const beforeId = input.cursor === undefined ? undefined : yield* Cursor.decode(input.cursor)
      const limit = input.limit ?? defaultLimit
      const page = yield* store.listTickets(ctx.call.tenantId, {
        status: input.status,
        priority: input.priority,
        assigneeId: input.assigneeId,
        search: input.search,
        beforeId,
        limit
      })
      const last = page.tickets.at(-1)
      return page.hasMore && last !== undefined
        ? { tickets: page.tickets, nextCursor: Cursor.encode(last.id) }
        : { tickets: page.tickets }
    })
})
