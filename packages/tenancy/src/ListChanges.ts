/**
 * Tells connected clients to list again when what they may see can have changed: on every tenant or kill-switch
 * change this instance learns of (its own or another instance's), it sends tools, resources and prompts
 * list-changed through core's `Notifier`. The notifier reaches every session, not only the changed tenant's.
 *
 * @since 0.1.0
 */
import { Notifier } from "@bulwark/core"
import { Effect, Layer } from "effect"
import { ChangeFeed } from "./ChangeFeed.ts"

/** Sends list-changed notifications on tenant and kill-switch changes, for the life of the layer. */
export const layer: Layer.Layer<never, never, ChangeFeed | Notifier> = Layer.effectDiscard(
  Effect.gen(function* () {
    const feed = yield* ChangeFeed
    const notifier = yield* Notifier
    yield* feed.subscribe((change) =>
      change._tag === "Resync" || change._tag === "CacheInvalidated"
        ? Effect.void
        : Effect.all([notifier.toolsChanged, notifier.resourcesChanged, notifier.promptsChanged], { discard: true })
    )
  })
)
