/**
 * The cache stage (`reuse` phase, after validation: the arguments are decoded): a call of a tool, or a read of a
 * resource, with a cache policy is served through the cache (see `ToolCache.ts`; a 2026-07-28 read is told `ttlMs`
 * and `cacheScope: "private"`); a successful call of a tool that names tags it invalidates
 * invalidates them before its answer is returned, so that the caller's next read never sees what it just changed, and
 * then tells the subscribers of the resources it names as changed (`updatesResources`), of its tenant only.
 * Every other request passes through at no cost.
 */
import { type Handler, type McpResult, Notifier, Stage } from "@bulwark/core"
import { Effect } from "effect"
import { cacheableTool, ToolCache } from "./ToolCache.ts"

/** The cache stage, on the cache in context. */
export const make = Effect.map(Effect.all([ToolCache, Notifier]), ([cache, notifier]) =>
  Stage.make(
    "cache",
    "reuse",
    (next: Handler): Handler =>
      (call) => {
        const target = call.target
        if (target._tag === "ResourceAccess" && target.action === "read") {
          const resource = target.resource
          const policy = resource?.cache
          if (resource === undefined || policy === undefined) return next(call)
          const item = { name: resource.key, policy, key: target.uri, tagInput: resource.variables }
          // A 2026-07-28 client is told how long it may keep the answer itself.
          return call.request.era === "modern"
            ? Effect.map(
                cache.serve(call, item, next),
                (result): McpResult => ({ ...result, ttlMs: policy.ttlMs, cacheScope: "private" })
              )
            : cache.serve(call, item, next)
        }
        const tool = target._tag === "ToolCall" ? target.tool : undefined
        if (tool === undefined) return next(call)
        const cacheable = cacheableTool(tool, call)
        if (cacheable !== undefined) return cache.serve(call, cacheable, next)
        const { invalidates, updatesResources } = tool
        if (invalidates === undefined && updatesResources === undefined) return next(call)
        return Effect.tap(next(call), (result) =>
          result.isError === true
            ? Effect.void
            : Effect.andThen(
                invalidates === undefined ? Effect.void : cache.invalidate(call.tenantId, invalidates(call.input)),
                updatesResources === undefined
                  ? Effect.void
                  : Effect.forEach(
                      updatesResources(call.input),
                      (uri) => notifier.resourceUpdated(uri, call.tenantId),
                      {
                        discard: true
                      }
                    )
              )
        )
      }
  )
)
