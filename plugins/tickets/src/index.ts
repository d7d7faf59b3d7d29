/**
 * `@bulwark/plugin-tickets`: ticket tracking for agents (users, tickets, comments, status lifecycle) on PostgreSQL.
 *
 * Install with `Plugin.install(TicketsPlugin, TicketsLive)`, or give a server the configurable `Tickets` (its default
 * export, so `plugins.tickets.module: "@bulwark/plugin-tickets"` works too); either needs a `SqlClient` (e.g. from
 * `Database.layer` of `@bulwark/database`) and migrates the plugin's tables when it is built.
 */
import { Tickets } from "./Tickets.ts"

/** The backends the plugin's tools, resource and prompt declare. */
export { ticketsDatabase, ticketsDatabaseBackend } from "./backends.ts"

/** The opaque cursor of `list_tickets`. */
export * as Cursor from "./domain/Cursor.ts"
export {
  ConstraintViolation,
  InvalidCursor,
  InvalidTransition,
  TicketDeleted,
  TicketNotFound,
  type TicketsError,
  UnknownUser,
  UserNotFound
} from "./domain/Errors.ts"
export { Comment, StatusChange, Ticket, type TicketPage, TicketWithComments, User } from "./domain/Model.ts"
export {
  allowedNext,
  canTransition,
  Priority,
  priorities,
  Status,
  statuses,
  transitions
} from "./domain/Status.ts"
export { owner as migrationOwner, ticketMigrations } from "./migrations/index.ts"
export { demoUsers, seedDemoData } from "./seed/seedDemoData.ts"
export {
  type NewComment,
  type NewTicket,
  type NewUser,
  type TicketQuery,
  TicketStore,
  type TicketStoreShape,
  type UserLookup
} from "./store/TicketStore.ts"
/** `TicketStore` on `SqlClient` without running migrations (`make`, `layer`). */
export * as TicketStoreLive from "./store/TicketStoreLive.ts"
export { layer as ticketsLayer, Tickets, TicketsConfig } from "./Tickets.ts"
export { TicketsLive } from "./TicketsLive.ts"
export { TicketsPlugin } from "./TicketsPlugin.ts"

/** The installable plugin, for servers that install plugins by module name. */
export default Tickets
