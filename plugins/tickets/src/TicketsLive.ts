/**
 * `TicketsLive`: everything the tickets handlers need, on an existing `SqlClient`, with the schema migrated.
 */
import { type MigrationError, Migrations } from "@bulwark/database"
import { Effect, Layer } from "effect"
import type { SqlClient } from "effect/sql"
import { owner, ticketMigrations } from "./migrations/index.ts"
import { TicketStore } from "./store/TicketStore.ts"
import { make } from "./store/TicketStoreLive.ts"

/**
 * Provides `TicketStore`. Building it applies the plugin's pending migrations (owner `"tickets"`; safe with several
 * instances starting at once) and, when the app provides a `MigrationRegistry`, registers them for readiness.
 */
export const TicketsLive: Layer.Layer<TicketStore, MigrationError, SqlClient.SqlClient> = Layer.effect(
  TicketStore,
  Effect.gen(function* () {
    yield* Migrations.apply(owner, ticketMigrations)
    return yield* make
  })
)
