/**
 * `@bulwark/cache`: reuse of tool answers as tools declare it (core's `CachePolicy`): per tenant (and caller),
 * invalidated by the tags writes name, single-flight on misses, stale answers standing in (marked degraded) when the
 * backend fails; a pipeline stage serves it.
 *
 * @since 0.1.0
 */

/** How invalidated tags reach every instance. */
export {
  CacheInvalidations,
  type CacheInvalidationsShape,
  type InvalidationHandler,
  layerLocal as layerLocalInvalidations
} from "./CacheInvalidations.ts"
/** The cache's Prometheus series. */
export * as CacheMetrics from "./CacheMetrics.ts"
/** The `reuse`-phase stage. */
export * as CacheStage from "./CacheStage.ts"
/** The in-process layer, bounded by entries and bytes. */
export * as MemoryCache from "./MemoryCache.ts"
/** The shared layer in Redis. */
export {
  layerNone as layerNoSharedCache,
  layerRedis as layerRedisSharedCache,
  SharedCache,
  type SharedCacheShape,
  type SharedEntry
} from "./SharedCache.ts"
/** Invalidation by tag versions. */
export * as TagVersions from "./TagVersions.ts"
/** The cache of tool answers. */
export { CacheConfig, layer as layerToolCache, ToolCache, type ToolCacheShape } from "./ToolCache.ts"
