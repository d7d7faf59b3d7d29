/**
 * Caching, as a tool declares it: how long its answer may be reused (`ttl`), whether it depends on the caller
 * (`private`) or only on the tenant (`tenant`, the default), the tags it depends on (computed from its arguments,
 * e.g. `ticket:42`), and how long a stale answer may stand in when the backend fails (`staleIfError`, answered marked
 * degraded with its age). A write tool names the tags it invalidates (`invalidates`). Only a tool that only reads
 * (`hints.readOnly`) may be cached: a policy on any other is refused at start-up. Entries never cross tenants (or
 * callers, for `private`): the tenant, and the caller for `private`, are part of every key and every tag.
 * `@bulwark/cache` keeps the entries; this module is what a plugin declares.
 *
 * @since 0.1.0
 */
import { Duration } from "effect"

/** What a tool declares about reusing its answers. */
export interface CachePolicy<I> {
  /** How long an answer is fresh. */
  readonly ttl: Duration.Input
  /** `tenant` (default): one answer for every caller of a tenant; `private`: one per caller. */
  readonly scope?: "tenant" | "private"
  /** The tags an answer depends on, from the arguments (within the tenant): invalidating one drops the answer. */
  readonly tags?: (input: I) => ReadonlyArray<string>
  /** How long past its freshness an answer may stand in when the backend fails (marked degraded, with its age). */
  readonly staleIfError?: Duration.Input
  /**
   * How long past its freshness an answer is still served at once while one refresh runs in the background
   * (stale-while-revalidate): agents never wait for a popular answer to be recomputed.
   */
  readonly staleWhileRevalidate?: Duration.Input
}

/** A policy with durations in milliseconds. */
export interface ResolvedCachePolicy {
  readonly ttlMs: number
  readonly scope: "tenant" | "private"
  readonly tags: (input: unknown) => ReadonlyArray<string>
  readonly staleIfErrorMs: number
  readonly staleWhileRevalidateMs: number
}

const NO_TAGS: ReadonlyArray<string> = []

/** Fills in a policy's defaults. */
export const resolve = (policy: CachePolicy<never>): ResolvedCachePolicy => ({
  ttlMs: Duration.toMillis(Duration.fromInputUnsafe(policy.ttl)),
  scope: policy.scope ?? "tenant",
  tags: (policy.tags as ((input: unknown) => ReadonlyArray<string>) | undefined) ?? (() => NO_TAGS),
  staleIfErrorMs:
    policy.staleIfError === undefined ? 0 : Duration.toMillis(Duration.fromInputUnsafe(policy.staleIfError)),
  staleWhileRevalidateMs:
    policy.staleWhileRevalidate === undefined
      ? 0
      : Duration.toMillis(Duration.fromInputUnsafe(policy.staleWhileRevalidate))
})
