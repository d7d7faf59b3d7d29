/**
 * The cache stage (`reuse` phase, after validation: the arguments are decoded): a call of a tool with a cache policy
 * is served through the cache (see `ToolCache.ts`); a successful call of a tool that names tags it invalidates
 * invalidates them before its answer is returned, so that the caller's next read never sees what it just changed.
 * Every other request passes through at no cost.
 */
import { type Handler, Stage } from "@bulwark/core"
import { Effect } from "effect"
import { ToolCache } from "./ToolCache.ts"

/** The cache stage, on the cache in context. */
export const make = Effect.map(ToolCache, (cache) =>
  Stage.make(
    "cache",
    "reuse",
    (next: Handler): Handler =>
      (call) => {
        const target = call.target
        const tool = target._tag === "ToolCall" ? target.tool : undefined
        if (tool === undefined) return next(call)
        if (tool.cache !== undefined) return cache.serve(call, tool, next)
        const invalidates = tool.invalidates
        if (invalidates === undefined) return next(call)
        return Effect.tap(next(call), (result) =>
          result.isError === true ? Effect.void : cache.invalidate(call.tenantId, invalidates(call.input))
        )
      }
  )
)
