/**
 * Reusing tool answers, as tools declare it (core's `CachePolicy`): the service the cache stage asks. An answer is
 * kept under its tenant, its caller when the policy is `private`, the tool and the canonical JSON of its decoded
 * arguments, so that no tenant or caller ever gets another's. It is fresh for `ttl`, dropped as soon as one of its
 * tags is invalidated by a write, and may stand in for `staleIfError` more when the backend fails, marked degraded
 * with its age (never silently). Concurrent misses of one key run the call once (single-flight); the others get its
 * answer, or run their own if it was cancelled. Only plain successes are kept: a tool error, an answer that needs
 * input, a degraded answer are not.
 *
 * This is the in-process layer (L1), bounded by entries and bytes. Invalidations go through `CacheInvalidations`:
 * applied here before the write's answer is returned, and announced to the other instances.
 */
import {
  type Call,
  type CompiledTool,
  Content,
  canonicalJson,
  DEGRADED_META_KEY,
  type Handler,
  type JsonValue,
  type McpResult,
  type PipelineError,
  type ResolvedCachePolicy,
  withDefault
} from "@bulwark/core"
import { series } from "@bulwark/observability"
import { Cause, Context, Deferred, Effect, Layer, Metric, Schema, type Scope } from "effect"
import { CacheInvalidations } from "./CacheInvalidations.ts"
import * as CacheMetrics from "./CacheMetrics.ts"
import * as MemoryCache from "./MemoryCache.ts"
import { SharedCache } from "./SharedCache.ts"
import * as TagVersions from "./TagVersions.ts"

/** The cache's bounds (`cache` in the bundled server's configuration). */
export const CacheConfig = Schema.Struct({
  /** Off: every call runs, whatever the tools declare (for measurements). */
  enabled: withDefault(Schema.Boolean, true),
  /** Answers kept in process at most. */
  maxEntries: withDefault(Schema.Int.check(Schema.isGreaterThan(0)), 10_000),
  /** Bytes of answers (as JSON) kept in process at most. */
  maxBytes: withDefault(Schema.Int.check(Schema.isGreaterThan(0)), 64 * 1024 * 1024)
})

/** The decoded bounds. */
export type CacheConfig = typeof CacheConfig.Type

/** The tag every answer of a tenant carries: invalidating it drops them all (an operator's flush). */
export const TENANT_TAG = "*"

/** The cache of tool answers. */
export interface ToolCacheShape {
  /** Serves a call of a cacheable item: from the cache, or through `next`, keeping what it may. */
  readonly serve: (call: Call, item: Cacheable, next: Handler) => Effect.Effect<McpResult, PipelineError>
  /** Invalidates the tags of a tenant (a write succeeded). */
  readonly invalidate: (tenantId: string, tags: ReadonlyArray<string>) => Effect.Effect<void>
  /** Drops every answer of a tenant, on every instance. */
  readonly flush: (tenantId: string) => Effect.Effect<void>
}

/** What is cached: a tool (keyed and tagged by its arguments) or a resource (keyed by URI, tagged by its variables). */
export interface Cacheable {
  /** The tool's name or the resource's URI template. */
  readonly name: string
  readonly policy: ResolvedCachePolicy
  /** What identifies the answer besides tenant and caller: the decoded arguments, or the URI. */
  readonly key: unknown
  /** What the policy's `tags` are computed from: the arguments, or the URI template's variables. */
  readonly tagInput: unknown
}

/** The cacheable view of a tool with a cache policy, for a call. */
export const cacheableTool = (tool: CompiledTool, call: Call): Cacheable | undefined =>
  tool.cache === undefined
    ? undefined
    : { name: tool.name, policy: tool.cache, key: call.input ?? null, tagInput: call.input }

/** The cache of tool answers, as a service. */
export class ToolCache extends Context.Service<ToolCache, ToolCacheShape>()("@bulwark/cache/ToolCache") {}

const degradedOf = (result: McpResult): { readonly [key: string]: unknown } | undefined => {
  const meta = result._meta as { readonly [key: string]: unknown } | undefined
  return meta?.[DEGRADED_META_KEY] as { readonly [key: string]: unknown } | undefined
}

const sameVersions = (a: ReadonlyArray<number>, b: ReadonlyArray<number>) =>
  a.length === b.length && a.every((version, i) => version === b[i])

/** Whether an answer may be kept: a plain success. */
const keepable = (result: McpResult): boolean =>
  result.isError !== true && result.resultType !== "input_required" && degradedOf(result) === undefined

/** A kept answer standing in for a failed backend: marked degraded, with its age and why. */
const staleAnswer = (kept: McpResult, failed: McpResult, ageSeconds: number): McpResult => {
  const degraded = degradedOf(failed) ?? {}
  const why = (failed.content as ReadonlyArray<{ readonly text?: string }> | undefined)?.[0]?.text ?? ""
  const note = Content.text(`Stale answer (${ageSeconds} s old) served because the backend did not answer: ${why}`)
  return {
    ...kept,
    content: [note, ...((kept.content as ReadonlyArray<Content.Content> | undefined) ?? [])],
    _meta: { ...(kept._meta as object | undefined), [DEGRADED_META_KEY]: { ...degraded, staleAgeSeconds: ageSeconds } }
  }
}

/** Builds the cache under `config`; it hears invalidations (its own and other instances') for the life of the scope. */
export const make = (
  config: CacheConfig
): Effect.Effect<ToolCacheShape, never, CacheInvalidations | SharedCache | Scope.Scope> =>
  Effect.gen(function* () {
    const announcements = yield* CacheInvalidations
    const shared = yield* SharedCache
    // Evictions are counted from zero at start, so that a panel or an alert naming the series finds it.
    yield* Metric.update(CacheMetrics.evictions, 0)
    let evicted = 0
    const memory = MemoryCache.make<McpResult>(config, (count) => {
      evicted += count
    })
    const versions = TagVersions.make()
    const flights = new Map<string, Deferred.Deferred<McpResult, PipelineError>>()
    const hits = series(CacheMetrics.hits)
    const misses = series(CacheMetrics.misses)
    const stales = series(CacheMetrics.stale)
    const invalidations = series(CacheMetrics.invalidations)

    /** Runs `effect` once for all concurrent callers of `key`; a caller whose leader was cancelled runs its own. */
    const once = (key: string, effect: Effect.Effect<McpResult, PipelineError>) => {
      const leader = flights.get(key)
      if (leader !== undefined) {
        return Deferred.await(leader).pipe(
          Effect.catchCause((cause) => (Cause.hasInterruptsOnly(cause) ? effect : Effect.failCause(cause)))
        )
      }
      const deferred = Deferred.makeUnsafe<McpResult, PipelineError>()
      flights.set(key, deferred)
      return effect.pipe(
        Effect.onExit((exit) => {
          flights.delete(key)
          return Deferred.done(deferred, exit)
        })
      )
    }

    const record = Effect.suspend(() => {
      const count = evicted
      evicted = 0
      return Effect.all([
        count > 0 ? Metric.update(CacheMetrics.evictions, count) : Effect.void,
        Metric.update(CacheMetrics.l1Bytes, memory.bytes())
      ])
    })

    const serve = (call: Call, item: Cacheable, next: Handler): Effect.Effect<McpResult, PipelineError> => {
      const policy = item.policy
      if (!config.enabled) return next(call)
      const caller = policy.scope === "private" ? (call.principal?.subject ?? "") : ""
      const key = canonicalJson([call.tenantId, caller, item.name, item.key as JsonValue])
      const tags = [
        TagVersions.tagKey(call.tenantId, TENANT_TAG),
        ...policy.tags(item.tagInput).map((tag) => TagVersions.tagKey(call.tenantId, tag))
      ]
      const labels = { tenant_id: call.tenantId, target: item.name }
      return Effect.clockWith((clock) => {
        const now = clock.currentTimeMillisUnsafe()
        const kept = memory.get(key)
        const valid = kept !== undefined && versions.unchanged(kept.tags, kept.versions)
        if (valid && now < kept.freshUntil)
          return Effect.as(Metric.update(hits({ ...labels, layer: "l1" }), 1), kept.value)
        // Taken before the call: a write during the call makes what it returns stale at once.
        const seen = versions.snapshot(tags)
        const computed = Effect.flatMap(shared.read(key, tags), (found) => {
          const stored = found?.entry
          const sharedValid = stored !== undefined && sameVersions(stored.versions, found?.versions ?? [])
          if (sharedValid && now < stored.freshUntil) {
            const value = stored.value as McpResult
            memory.set(key, { ...stored, value, bytes: JSON.stringify(value).length, tags, versions: seen })
            return Effect.as(Effect.andThen(Metric.update(hits({ ...labels, layer: "l2" }), 1), record), value)
          }
          return once(key, next(call)).pipe(
            Effect.flatMap((result) => {
              if (degradedOf(result) !== undefined) {
                // The backend did not answer: the last answer still kept, in either layer, stands in.
                const standIn =
                  valid && now < kept.freshUntil + policy.staleIfErrorMs
                    ? kept
                    : sharedValid && now < stored.freshUntil + policy.staleIfErrorMs
                      ? { value: stored.value as McpResult, storedAt: stored.storedAt }
                      : undefined
                if (standIn !== undefined) {
                  const age = Math.round((now - standIn.storedAt) / 1000)
                  return Effect.as(Metric.update(stales(labels), 1), staleAnswer(standIn.value, result, age))
                }
              }
              if (!keepable(result)) return Effect.as(Metric.update(misses(labels), 1), result)
              const at = clock.currentTimeMillisUnsafe()
              const entry = {
                storedAt: at,
                freshUntil: at + policy.ttlMs,
                keptUntil: at + policy.ttlMs + Math.max(policy.staleIfErrorMs, policy.staleWhileRevalidateMs)
              }
              memory.set(key, { ...entry, value: result, bytes: JSON.stringify(result).length, tags, versions: seen })
              return Metric.update(misses(labels), 1).pipe(
                Effect.andThen(record),
                Effect.andThen(
                  found === undefined
                    ? Effect.void
                    : shared.write(key, {
                        ...entry,
                        value: result as Record<string, unknown>,
                        versions: found.versions
                      })
                ),
                Effect.as(result)
              )
            })
          )
        })
        // Stale while revalidating: past its freshness but within the window, the answer is served at once and one
        // refresh runs in the background (none when one already runs).
        if (valid && now < kept.freshUntil + policy.staleWhileRevalidateMs) {
          const refresh = flights.has(key) ? Effect.void : Effect.asVoid(Effect.forkDetach(Effect.ignore(computed)))
          return Effect.as(Effect.andThen(refresh, Metric.update(hits({ ...labels, layer: "l1" }), 1)), kept.value)
        }
        return computed
      })
    }

    // Every instance's own versions move when any instance announces an invalidation (this one included).
    yield* announcements.subscribe((tenantId, tags) =>
      Effect.suspend(() => {
        versions.bump(tags.map((tag) => TagVersions.tagKey(tenantId, tag)))
        return Metric.update(invalidations({ tenant_id: tenantId }), tags.length)
      })
    )

    /** Moves the tags' shared versions, then every instance's own, before the write's answer is returned. */
    const invalidate = (tenantId: string, tags: ReadonlyArray<string>) =>
      tags.length === 0
        ? Effect.void
        : Effect.andThen(
            shared.bump(tags.map((tag) => TagVersions.tagKey(tenantId, tag))),
            announcements.publish(tenantId, tags)
          )

    return {
      serve,
      invalidate,
      flush: (tenantId) => invalidate(tenantId, [TENANT_TAG])
    }
  })

/** The cache of tool answers, under `config`, with its invalidations announced through `CacheInvalidations`. */
export const layer = (config: CacheConfig): Layer.Layer<ToolCache, never, CacheInvalidations | SharedCache> =>
  Layer.effect(ToolCache, make(config))
