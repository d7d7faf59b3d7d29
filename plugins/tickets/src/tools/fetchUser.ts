/**
 * `fetch_user`: looks a user up by id or by email.
 */
import { Tool } from "@bulwark/core"
import { Effect, Schema } from "effect"
import { ticketsDatabase } from "../backends.ts"
import { cacheTimes } from "../cacheTags.ts"
import { UserNotFound } from "../domain/Errors.ts"
import { User } from "../domain/Model.ts"
import { TicketStore } from "../store/TicketStore.ts"
import { Email, userId } from "./fields.ts"

const Input = Schema.Struct({
  id: Schema.optionalKey(userId("The user's id")),
  email: Schema.optionalKey(Email)
}).check(
  Schema.makeFilter((input) =>
    (input.id === undefined) === (input.email === undefined) ? "pass exactly one of id or email" : undefined
  )
)

/** Finds a user of the current tenant by id or email. */
export const fetchUser = Tool.make("fetch_user", {
  title: "Fetch user",
  description:
    "Look up one user by id or by email (pass exactly one). Use it to find the user ids that create_ticket " +
    "(reporterId, assigneeId), add_comment (authorId) and list_tickets (assigneeId) expect.",
  input: Input,
  output: User,
  errors: [UserNotFound],
  backends: [ticketsDatabase],
  hints: { readOnly: true, destructive: false, idempotent: true, openWorld: false },
  // Users never change through a tool: an answer only expires.
  cache: {
    ttl: cacheTimes.users,
    tags: (input) => [input.id === undefined ? `user-email:${input.email?.toLowerCase()}` : `user:${input.id}`],
    staleIfError: cacheTimes.staleIfError
  },
  handler: ({ id, email }, ctx) =>
    Effect.flatMap(TicketStore, (store) =>
      // The input check guarantees exactly one of the two.
      store.findUser(ctx.call.tenantId, id !== undefined ? { id } : { email: email! })
    )
})
