/**
 * `@bulwark/idempotency`: idempotency keys on `tools/call` (a retry with the same key gets the first call's result,
 * on any instance), kept in PostgreSQL.
 *
 * @since 0.1.0
 */

/** Keys, their stage and settings. */
export { HEADER, IdempotencyConfig, IdempotencyKeys, keyOf, layer, META_KEY, stage } from "./IdempotencyKeys.ts"
/** The table's migrations (owner "idempotency"). */
export * as IdempotencyMigrations from "./IdempotencyMigrations.ts"
