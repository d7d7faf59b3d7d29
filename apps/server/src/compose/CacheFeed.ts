/**
 * The cache's invalidations over the server's change feed (tenancy's `ChangeFeed`): a write's invalidated tags are
 * applied in this process before its answer is returned, and reach the other instances through PostgreSQL `NOTIFY`
 * (with an embedded database there is only one instance). A notification missed while the feed's listener
 * reconnects leaves the other instances' answers until their TTL.
 */
import { CacheInvalidations } from "@bulwark/cache"
import { ChangeFeed } from "@bulwark/tenancy"
import { Effect, Layer } from "effect"

/** `CacheInvalidations` on the change feed in context. */
export const layer: Layer.Layer<CacheInvalidations, never, ChangeFeed.ChangeFeed> = Layer.effect(
  CacheInvalidations,
  Effect.map(ChangeFeed.ChangeFeed, (feed) =>
    CacheInvalidations.of({
      publish: (tenantId, tags) => feed.publish({ _tag: "CacheInvalidated", tenantId, tags }),
      subscribe: (handler) =>
        feed.subscribe((change) =>
          change._tag === "CacheInvalidated" ? handler(change.tenantId, change.tags) : Effect.void
        )
    })
  )
)
