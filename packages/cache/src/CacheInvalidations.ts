/**
 * How invalidated tags reach every instance: the port the cache publishes through and listens on. A write's
 * invalidation is applied in this process before the write's answer is returned (read your writes), and announced to
 * the other instances, which drop the same tags as soon as they hear of it. `layerLocal` is this process only (one
 * instance, tests); the bundled server provides it over its change feed (PostgreSQL `NOTIFY`).
 */
import { Context, Effect, Layer, type Scope } from "effect"

/** Reacts to invalidated tags of a tenant. */
export type InvalidationHandler = (tenantId: string, tags: ReadonlyArray<string>) => Effect.Effect<void>

/** Publishes invalidations and delivers them, local and remote. */
export interface CacheInvalidationsShape {
  /** Applies the invalidation in this process now (every handler), and announces it to the other instances. */
  readonly publish: (tenantId: string, tags: ReadonlyArray<string>) => Effect.Effect<void>
  /** Runs `handler` on every invalidation, local or remote, for the life of the scope. */
  readonly subscribe: (handler: InvalidationHandler) => Effect.Effect<void, never, Scope.Scope>
}

/** How invalidated tags reach every instance. */
export class CacheInvalidations extends Context.Service<CacheInvalidations, CacheInvalidationsShape>()(
  "@bulwark/cache/CacheInvalidations"
) {}

/** Invalidations within this process only. */
export const layerLocal: Layer.Layer<CacheInvalidations> = Layer.sync(CacheInvalidations, () => {
  const handlers = new Set<InvalidationHandler>()
  return CacheInvalidations.of({
    publish: (tenantId, tags) => Effect.forEach([...handlers], (handler) => handler(tenantId, tags), { discard: true }),
    subscribe: (handler) =>
      Effect.acquireRelease(
        Effect.sync(() => handlers.add(handler)),
        () => Effect.sync(() => handlers.delete(handler))
      ).pipe(Effect.asVoid)
  })
})
