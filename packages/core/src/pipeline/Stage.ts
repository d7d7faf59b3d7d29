import type { Effect } from "effect"
import type { McpError } from "../errors/McpError.ts"
import type { CallState } from "../request/CurrentCall.ts"
import type { McpResult } from "../request/McpRequest.ts"

/** Serves one request that has entered the pipeline. */
export type Handler = (call: CallState) => Effect.Effect<McpResult, McpError>

/** One step of the request pipeline: wraps the rest of the chain. */
export interface Stage {
  readonly name: string
  readonly wrap: (next: Handler) => Handler
}

/** Declares a stage. */
export const make = (name: string, wrap: (next: Handler) => Handler): Stage => ({ name, wrap })

/** Folds stages around a final handler; the first stage is the outermost. */
export const chain = (stages: ReadonlyArray<Stage>, last: Handler): Handler =>
  stages.reduceRight((next, stage) => stage.wrap(next), last)
