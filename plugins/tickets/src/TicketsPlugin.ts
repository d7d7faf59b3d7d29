/**
 * The tickets plugin value: its tools, resource template and prompt.
 */
import { Plugin } from "@bulwark/core"
import { ticketsDatabaseBackend } from "./backends.ts"
import { triageTicket } from "./prompts/triageTicket.ts"
import { ticketResource } from "./resources/ticketResource.ts"
import type { TicketStore } from "./store/TicketStore.ts"
import { tools } from "./tools/index.ts"

/** Tickets for agents: users, tickets, comments, statuses. Install it with `TicketsLive`. */
export const TicketsPlugin: Plugin.Plugin<TicketStore> = Plugin.make({
  name: "tickets",
  version: "0.1.0",
  description:
    "Ticket tracking: look up users, create, list, read, comment on and move tickets through their lifecycle.",
  tools,
  resources: [ticketResource],
  prompts: [triageTicket],
  backends: [ticketsDatabaseBackend]
})
