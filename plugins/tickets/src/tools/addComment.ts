/**
 * `add_comment`: appends a comment to a ticket.
 */
import { Tool } from "@bulwark/core"
import { Effect, Schema } from "effect"
import { ticketsDatabase } from "../backends.ts"
import { ticketTag } from "../cacheTags.ts"
import { ConstraintViolation, TicketDeleted, TicketNotFound, UnknownUser } from "../domain/Errors.ts"
import { Comment } from "../domain/Model.ts"
import { TicketStore } from "../store/TicketStore.ts"
import { Body, TicketId, userId } from "./fields.ts"

/** Adds a comment to a ticket of the current tenant. */
export const addComment = Tool.make("add_comment", {
  title: "Add comment",
  description:
    "Add a comment to a ticket, written by the given user (see fetch_user for ids). Deleted tickets do not " +
    "accept comments. Each call adds another comment, so do not retry a call that succeeded.",
  input: Schema.Struct({
    ticketId: TicketId,
    authorId: userId("Id of the user writing the comment (see fetch_user)"),
    body: Body
  }),
  output: Comment,
  errors: [TicketNotFound, TicketDeleted, UnknownUser, ConstraintViolation],
  backends: [ticketsDatabase],
  hints: { readOnly: false, destructive: false, idempotent: false, openWorld: false },
  invalidates: ({ ticketId }) => [ticketTag(ticketId)],
  updatesResources: ({ ticketId }) => [`ticket://${ticketId}`],
  handler: (input, ctx) => Effect.flatMap(TicketStore, (store) => store.addComment(ctx.call.tenantId, input))
})
