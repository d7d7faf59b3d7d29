/**
 * The backends the tickets plugin calls, by the names its tools, resource and prompt declare (an operator's
 * `backend` kill switch names them).
 */

/** The PostgreSQL tables of the plugin, reached through the app's pool. */
export const ticketsDatabase = "tickets-db"
