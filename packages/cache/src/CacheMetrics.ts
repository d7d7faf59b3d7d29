/**
 * The cache's Prometheus series, labelled `tenant_id` and `target` (the tool's name) where they say so: hits, misses,
 * stale answers served, invalidations (by tenant), evictions, and the bytes the in-process layer holds.
 */
import { Metric } from "effect"

/** `mcp_cache_hits_total{tenant_id,target}`: answers reused. */
export const hits: Metric.Counter<number> = Metric.counter("mcp_cache_hits_total", {
  description: "Answers served from the cache",
  incremental: true
})

/** `mcp_cache_misses_total{tenant_id,target}`: answers computed (and stored when they could be). */
export const misses: Metric.Counter<number> = Metric.counter("mcp_cache_misses_total", {
  description: "Cacheable calls that were computed",
  incremental: true
})

/** `mcp_cache_stale_total{tenant_id,target}`: stale answers served because the backend failed (marked degraded). */
export const stale: Metric.Counter<number> = Metric.counter("mcp_cache_stale_total", {
  description: "Stale answers served, marked degraded, because the backend failed",
  incremental: true
})

/** `mcp_cache_invalidations_total{tenant_id}`: tags invalidated by writes. */
export const invalidations: Metric.Counter<number> = Metric.counter("mcp_cache_invalidations_total", {
  description: "Cache tags invalidated by writes",
  incremental: true
})

/** `mcp_cache_evictions_total`: entries dropped to stay within the bounds. */
export const evictions: Metric.Counter<number> = Metric.counter("mcp_cache_evictions_total", {
  description: "Cache entries evicted to stay within the entry and byte bounds",
  incremental: true
})

/** `mcp_cache_l1_bytes`: bytes of answers the in-process layer holds. */
export const l1Bytes: Metric.Gauge<number> = Metric.gauge("mcp_cache_l1_bytes", {
  description: "Bytes of answers held in the in-process cache"
})
