/**
 * `update_ticket_status`: moves a ticket through its lifecycle.
 */
import { Tool } from "@bulwark/core"
import { Effect, Schema } from "effect"
import { ticketsDatabase } from "../backends.ts"
import { ticketListsTag, ticketTag } from "../cacheTags.ts"
import { InvalidTransition, TicketNotFound } from "../domain/Errors.ts"
import { StatusChange } from "../domain/Model.ts"
import { Status, transitions } from "../domain/Status.ts"
import { TicketStore } from "../store/TicketStore.ts"
import { TicketId } from "./fields.ts"

const rules = Object.entries(transitions)
  .map(([from, next]) => `${from} -> ${next.length === 0 ? "(none)" : next.join(", ")}`)
  .join("; ")

/** Changes the status of a ticket of the current tenant. */
export const updateTicketStatus = Tool.make("update_ticket_status", {
  title: "Update ticket status",
  description:
    `Set a ticket's status. Allowed changes: ${rules}. Setting the status the ticket already has changes ` +
    "nothing (changed: false), so retrying is safe. Setting deleted is permanent: a deleted ticket can never " +
    "change status again or receive comments; confirm with the user before deleting.",
  input: Schema.Struct({
    id: TicketId,
    status: Status.annotate({ description: "The new status" })
  }),
  output: StatusChange,
  errors: [TicketNotFound, InvalidTransition],
  backends: [ticketsDatabase],
  hints: { readOnly: false, destructive: true, idempotent: true, openWorld: false },
  invalidates: ({ id }) => [ticketTag(id), ticketListsTag],
  updatesResources: ({ id }) => [`ticket://${id}`],
  handler: ({ id, status }, ctx) =>
    Effect.flatMap(TicketStore, (store) => store.setStatus(ctx.call.tenantId, id, status))
})
