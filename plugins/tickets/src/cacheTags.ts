/**
 * The cache tags of the tickets plugin, within a tenant: what each read depends on and each write invalidates.
 * `get_ticket` answers depend on their ticket (its status, its comments); `list_tickets` answers on every ticket of
 * the tenant (a new one, a changed status); users never change through a tool, so `fetch_user` answers only expire.
 */

/** One ticket, with its comments. */
export const ticketTag = (id: number): string => `ticket:${id}`

/** Every list of the tenant's tickets. */
export const ticketListsTag = "tickets"

/** How long answers are reused, and how long a stale one may stand in when the database does not answer. */
export const cacheTimes = {
  users: "60 seconds",
  ticket: "30 seconds",
  lists: "10 seconds",
  staleIfError: "5 minutes"
} as const
