/**
 * A schema change owned by a plugin.
 *
 * @since 0.1.0
 */
import type { Effect } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"

/**
 * One migration. `id` is unique within its owner and never changes once shipped (e.g. `"0001"`); `name` says what
 * it does. `up` is an Effect using `SqlClient`, or SQL text (one or more statements separated by `;`). It runs in a
 * transaction, so avoid statements PostgreSQL refuses there (`CREATE INDEX CONCURRENTLY`, `VACUUM`).
 */
export interface Migration {
  readonly id: string
  readonly name: string
  readonly up: Effect.Effect<void, SqlError, SqlClient> | string
}

/** Names one migration of one owner, as reported by runs and readiness. */
export interface MigrationRef {
  readonly owner: string
  readonly id: string
  readonly name: string
}
