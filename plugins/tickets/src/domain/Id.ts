/**
 * Ids of users, tickets and comments: positive integers that fit PostgreSQL's `integer`.
 */

/** The largest id a PostgreSQL `integer` column holds. */
export const maxId = 2_147_483_647

/** Whether `id` can be the id of a stored row (anything else names nothing, and must not reach SQL). */
export const isStoredId = (id: number): boolean => Number.isSafeInteger(id) && id > 0 && id <= maxId
