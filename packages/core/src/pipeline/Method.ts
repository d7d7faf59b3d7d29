/**
 * The method table: which JSON-RPC methods the pipeline serves, how each one's params become a `Target`, how it is
 * served at the end of the chain, and what it adds to the server's capabilities. Core contributes the MCP methods of
 * tools, resources, prompts and completions; an extension adds its own (the Tasks extension adds `tasks/*`) by
 * passing more methods to the pipeline, and its capabilities and `extensions` entries are announced with them.
 */
import type { ServerCapabilities } from "@modelcontextprotocol/server"
import { type Effect, Predicate } from "effect"
import type { McpResult, Params } from "../request/McpRequest.ts"
import type { Call } from "./Call.ts"
import type { PipelineError } from "./Stage.ts"
import type { Target } from "./Target.ts"

/** One method the pipeline serves. */
export interface Method {
  /** The JSON-RPC method, e.g. `tools/call`. */
  readonly name: string
  /** True for a method the MCP specification does not define (transports register those with their own schema). */
  readonly custom?: boolean
  /** What a request of this method is about, from its params (pure; runs once, before every stage). */
  readonly resolve: (params: Params) => Target
  /** Serves the request at the end of the pipeline. */
  readonly serve: (call: Call) => Effect.Effect<McpResult, PipelineError>
  /** What serving this method adds to the server's capabilities (including `extensions` entries). */
  readonly capabilities?: ServerCapabilities
}

/** Merges capability contributions: objects merge key by key, later values win for anything else. */
export const mergeCapabilities = (contributions: ReadonlyArray<ServerCapabilities | undefined>): ServerCapabilities => {
  const merge = (into: Record<string, unknown>, from: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...into }
    for (const [key, value] of Object.entries(from)) {
      const existing = out[key]
      out[key] = Predicate.isObject(existing) && Predicate.isObject(value) ? merge(existing, value) : value
    }
    return out
  }
  return contributions.reduce<Record<string, unknown>>(
    (all, contribution) => (contribution === undefined ? all : merge(all, contribution as Record<string, unknown>)),
    {}
  ) as ServerCapabilities
}
