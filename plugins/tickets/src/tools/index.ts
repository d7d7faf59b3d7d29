/**
 * The tickets tools, in the order clients list them.
 */
import { addComment } from "./addComment.ts"
import { createTicket } from "./createTicket.ts"
import { fetchUser } from "./fetchUser.ts"
import { getTicket } from "./getTicket.ts"
import { listTickets } from "./listTickets.ts"
import { updateTicketStatus } from "./updateTicketStatus.ts"

/** All tools of the tickets plugin. */
export const tools = [fetchUser, createTicket, getTicket, listTickets, updateTicketStatus, addComment] as const
