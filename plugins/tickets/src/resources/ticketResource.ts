/**
 * The `ticket://{id}` resource template: a ticket with its comments as JSON.
 */
import { Resource, ResourceNotFound } from "@bulwark/core"
import { Effect } from "effect"
import { ticketsDatabase } from "../backends.ts"
import { cacheTimes, ticketTag } from "../cacheTags.ts"
import { completeTicketId } from "../completion/ticketIds.ts"
import { maxId } from "../domain/Id.ts"
import { TicketStore } from "../store/TicketStore.ts"

/** How many tickets `resources/list` shows (the newest ones). */
export const listedTickets = 50

const uriOf = (id: number | string) => `ticket://${id}`

const parseId = (text: string): number | undefined => {
  if (!/^[1-9][0-9]{0,9}$/.test(text)) return undefined
  const id = Number(text)
  return id <= maxId ? id : undefined
}

const notFound = (id: string) =>
  new ResourceNotFound({
    uri: uriOf(id),
    message: `Ticket ${id} does not exist. Resources ticket://{id} take the id of an existing ticket (see resources/list or list_tickets).`
  })

/** A ticket and its comments, readable as `ticket://42`. */
export const ticketResource = Resource.template("ticket://{id}", {
  name: "ticket",
  title: "Ticket",
  description: "A ticket with its comments, as JSON. The id is the ticket's numeric id.",
  mimeType: "application/json",
  errors: [ResourceNotFound],
  backends: [ticketsDatabase],
  cache: { ttl: cacheTimes.ticket, tags: ({ id }) => [ticketTag(Number(id))], staleIfError: cacheTimes.staleIfError },
  read: ({ id }, ctx) => {
    const text = id ?? ""
    const ticketId = parseId(text)
    if (ticketId === undefined) return Effect.fail(notFound(text))
    return Effect.flatMap(TicketStore, (store) => store.getTicket(ctx.call.tenantId, ticketId)).pipe(
      Effect.map((ticket) => ({ text: JSON.stringify(ticket, null, 2), mimeType: "application/json" })),
      Effect.catchTag("TicketNotFound", () => Effect.fail(notFound(text)))
    )
  },
  list: (ctx) =>
    Effect.flatMap(TicketStore, (store) => store.listTickets(ctx.call.tenantId, { limit: listedTickets })).pipe(
      Effect.map((page) =>
        page.tickets.map((ticket) => ({
          uri: uriOf(ticket.id),
          name: `#${ticket.id} ${ticket.title}`,
          description: `${ticket.status}, ${ticket.priority} priority`,
          mimeType: "application/json"
        }))
      )
    ),
  complete: { id: completeTicketId }
})
