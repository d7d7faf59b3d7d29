/**
 * `get_ticket`: one ticket with its comments.
 */
import { Tool } from "@bulwark/core"
import { Effect, Schema } from "effect"
import { ticketsDatabase } from "../backends.ts"
import { cacheTimes, ticketTag } from "../cacheTags.ts"
import { TicketNotFound } from "../domain/Errors.ts"
import { TicketWithComments } from "../domain/Model.ts"
import { TicketStore } from "../store/TicketStore.ts"
import { TicketId } from "./fields.ts"

/** Reads a ticket of the current tenant with its comments. */
export const getTicket = Tool.make("get_ticket", {
  title: "Get ticket",
  description:
    "Get one ticket by id, with all its fields and its comments (oldest first). Deleted tickets are returned too, " +
    "with status deleted. Use list_tickets to find ids.",
  input: Schema.Struct({ id: TicketId }),
  output: TicketWithComments,
  errors: [TicketNotFound],
  backends: [ticketsDatabase],
  hints: { readOnly: true, destructive: false, idempotent: true, openWorld: false },
  cache: { ttl: cacheTimes.ticket, tags: ({ id }) => [ticketTag(id)], staleIfError: cacheTimes.staleIfError },
  handler: ({ id }, ctx) => Effect.flatMap(TicketStore, (store) => store.getTicket(ctx.call.tenantId, id))
})
