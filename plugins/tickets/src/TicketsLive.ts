/**
 * `TicketsLive`: everything the tickets handlers need, on an existing `SqlClient`, with the schema migrated.
 */
import { type MigrationError, MigrationRegistry, runMigrations } from "@bulwark/database"
import { Effect, Layer, Option } from "effect"
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
    const registry = yield* Effect.serviceOption(MigrationRegistry)
    if (Option.isSome(registry)) yield* registry.value.register(owner, ticketMigrations)
    yield* runMigrations(owner, ticketMigrations)
    return yield* make
  })
)
