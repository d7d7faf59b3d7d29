/**
 * Stages and phases: the pipeline is one chain of small stages, each wrapping the rest. Every stage belongs to a
 * named phase, and the phases run in a fixed order, outermost first:
 *
 * - `observe`: the request's span, its log line, its metrics, its audit record (they see how it ended);
 * - `resolve`: containing failures (a defect becomes an internal error with the request id) and answering params
 *   that do not fit the method;
 * - `admit`: who may make this request (tenancy, authorization);
 * - `limit`: how much they may (rate limits, quotas, concurrency);
 * - `validate`: the arguments against the declared schema;
 * - `reuse`: answers that need not be computed again (caching, idempotency);
 * - `execute`: the deadline and anything that changes how the method runs (long-running tasks), then the method.
 *
 * Packages contribute stages to a phase without editing the pipeline; within a phase, stages run in ascending
 * `order` (the framework's own stages use 0), then in the order they were given.
 */
import type { Effect } from "effect"
import type { McpError } from "../errors/McpError.ts"
import type { Refused } from "../errors/Refused.ts"
import type { McpResult } from "../request/McpRequest.ts"
import type { Call } from "./Call.ts"

/** The phases, outermost first. */
export const phases = ["observe", "resolve", "admit", "limit", "validate", "reuse", "execute"] as const

/** A phase of the pipeline. */
export type Phase = (typeof phases)[number]

/** How a request fails: a protocol error, or a refusal by a stage. Both reach the client as JSON-RPC errors. */
export type PipelineError = McpError | Refused

/** Serves one request that has entered the pipeline. */
export type Handler = (call: Call) => Effect.Effect<McpResult, PipelineError>

/** One step of the request pipeline: wraps the rest of the chain. */
export interface Stage {
  readonly name: string
  readonly phase: Phase
  /** Position within the phase: lower runs first (outer); the framework's stages use 0. */
  readonly order: number
  readonly wrap: (next: Handler) => Handler
}

/** Declares a stage of `phase`. */
export const make = (
  name: string,
  phase: Phase,
  wrap: (next: Handler) => Handler,
  options: { readonly order?: number } = {}
): Stage => ({ name, phase, order: options.order ?? 0, wrap })

/** Puts stages in pipeline order: by phase, then by `order`, then as given. */
export const sort = (stages: ReadonlyArray<Stage>): ReadonlyArray<Stage> =>
  stages
    .map((stage, index) => ({ stage, index }))
    .sort(
      (a, b) =>
        phases.indexOf(a.stage.phase) - phases.indexOf(b.stage.phase) ||
        a.stage.order - b.stage.order ||
        a.index - b.index
    )
    .map(({ stage }) => stage)

/** Folds stages (already in order) around a final handler; the first stage is the outermost. */
export const chain = (stages: ReadonlyArray<Stage>, last: Handler): Handler =>
  stages.reduceRight((next, stage) => stage.wrap(next), last)
