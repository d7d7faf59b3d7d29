/**
 * `create_ticket`: opens a new ticket.
 */
import { Tool } from "@bulwark/core"
import { Effect, Schema } from "effect"
import { ticketsDatabase } from "../backends.ts"
import { ticketListsTag } from "../cacheTags.ts"
import { ConstraintViolation, UnknownUser } from "../domain/Errors.ts"
import { Ticket } from "../domain/Model.ts"
import { Priority } from "../domain/Status.ts"
import { TicketStore } from "../store/TicketStore.ts"
import { Description, Title, userId } from "./fields.ts"

const Input = Schema.Struct({
  title: Title,
  description: Schema.optionalKey(Description),
  priority: Schema.optionalKey(Priority.annotate({ description: "How urgent the ticket is; default medium" })),
  reporterId: userId("Id of the user reporting the problem (see fetch_user)"),
  assigneeId: Schema.optionalKey(
    userId("Id of the user who should work on it (see fetch_user); omit to leave unassigned")
  )
})

/** Creates a ticket in status `open` for the current tenant. */
export const createTicket = Tool.make("create_ticket", {
  title: "Create ticket",
  description:
    "Create a new ticket (status open). Requires a title and the reporter's user id; description, priority " +
    "(low, medium, high, urgent; default medium) and assignee are optional. Each call creates another ticket, so " +
    "do not retry a call that succeeded. Returns the created ticket with its id.",
  input: Input,
  output: Ticket,
  errors: [UnknownUser, ConstraintViolation],
  backends: [ticketsDatabase],
  hints: { readOnly: false, destructive: false, idempotent: false, openWorld: false },
  invalidates: () => [ticketListsTag],
  handler: (input, ctx) =>
    Effect.flatMap(TicketStore, (store) =>
      store.createTicket(ctx.call.tenantId, {
        title: input.title,
        description: input.description ?? "",
        priority: input.priority ?? "medium",
        reporterId: input.reporterId,
        assigneeId: input.assigneeId ?? null
      })
    )
})
