/**
 * Demo data so that a fresh installation has something to show.
 */
import { Effect } from "effect"
import type { User } from "../domain/Model.ts"
import { type NewUser, TicketStore } from "../store/TicketStore.ts"

/** The users {@link seedDemoData} creates. */
export const demoUsers: ReadonlyArray<NewUser> = [
  { email: "ada@example.com", name: "Ada Lovelace" },
  { email: "grace@example.com", name: "Grace Hopper" }
]

/**
 * Creates the demo users for `tenantId` if that tenant has no users yet (safe to run on every start, also from
 * several instances at once). Returns the users it created: none when the tenant already had users.
 */
export const seedDemoData = (tenantId: string): Effect.Effect<ReadonlyArray<User>, never, TicketStore> =>
  Effect.flatMap(TicketStore, (store) => store.seedUsers(tenantId, demoUsers)).pipe(
    Effect.withSpan("tickets.seedDemoData", { attributes: { tenantId } })
  )
