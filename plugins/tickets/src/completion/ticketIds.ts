/**
 * Completion of ticket ids (for the `ticket://{id}` template and the `triage_ticket` prompt).
 */
import type { ToolContext } from "@bulwark/core"
import { Effect } from "effect"
import { TicketStore } from "../store/TicketStore.ts"

/** How many ids a completion offers at most. */
export const maxSuggestions = 100

/** The current tenant's ticket ids (not deleted) that start with what was typed so far, newest first. */
export const completeTicketId = (
  value: string,
  ctx: ToolContext
): Effect.Effect<ReadonlyArray<string>, never, TicketStore> =>
  Effect.flatMap(TicketStore, (store) =>
    store.ticketIdsStartingWith(ctx.call.tenantId, value.trim(), maxSuggestions)
  ).pipe(Effect.map((ids) => ids.map(String)))
