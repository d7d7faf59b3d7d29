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
 *
 * A stage that only watches requests end (a log line, metrics, an audit record) is an observer (`observer`): it
 * says what to do at the start of a request and at its end, and cannot change the answer. Observers next to each
 * other in the chain share one exit hook: every request passes all of them for the price of one stage.
 */
import { Effect, type Exit, type Fiber } from "effect"
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

/**
 * What an observer does when a request ends, however it ends (a result, a failure, a cancellation), in the fiber
 * that served it, uninterruptibly. It returns an effect only for what must wait or log (a full audit buffer, a log
 * line); the rest it does at once.
 */
export type OnEnd = (
  exit: Exit.Exit<McpResult, PipelineError>,
  fiber: Fiber.Fiber<unknown, unknown>
) => Effect.Effect<void> | undefined

/**
 * What an observer does when a request starts (in its fiber, before the rest of the chain runs): returns what to do
 * when it ends. The start and the end are paired: a request that starts is seen to end.
 */
export type Observe = (call: Call, fiber: Fiber.Fiber<unknown, unknown>) => OnEnd

/** One step of the request pipeline: wraps the rest of the chain. */
export interface Stage {
  readonly name: string
  readonly phase: Phase
  /** Position within the phase: lower runs first (outer); the framework's stages use 0. */
  readonly order: number
  readonly wrap: (next: Handler) => Handler
  /** Set on an observer: what it does at each request's start and end (`wrap` does the same as a stage alone). */
  readonly observe?: Observe
  /** Set on an observer that annotates every line logged while a request runs (its id, ...). */
  readonly annotations?: Annotations
}

/** The log annotations of every line logged while a request runs. */
export type Annotations = (call: Call) => Readonly<Record<string, unknown>>

/** What the observers next to each other in the chain do, outermost first. */
interface Observers {
  readonly observe: ReadonlyArray<Observe>
  readonly annotations: ReadonlyArray<Annotations>
}

const annotationsOf = (annotations: ReadonlyArray<Annotations>, call: Call): Readonly<Record<string, unknown>> => {
  if (annotations.length === 1) return (annotations[0] as Annotations)(call)
  let merged: Record<string, unknown> = {}
  for (const annotate of annotations) merged = { ...merged, ...annotate(call) }
  return merged
}

/** Declares a stage of `phase`. */
export const make = (
  name: string,
  phase: Phase,
  wrap: (next: Handler) => Handler,
  options: { readonly order?: number } = {}
): Stage => ({ name, phase, order: options.order ?? 0, wrap })

/** Wraps the rest of the chain in the observers given, with one exit hook (and one log annotation) for all. */
const observing =
  ({ observe, annotations }: Observers) =>
  (next: Handler): Handler =>
  (call) =>
    Effect.uninterruptibleMask((restore) =>
      Effect.withFiber((fiber) => {
        const ends = observe.map((start) => start(call, fiber))
        const ended = Effect.onExit(restore(next(call)), (exit) =>
          Effect.withFiber((ending) => {
            // Innermost first, as nested stages would end; what must wait runs after, in the same order. An end
            // that throws (a defect) does not keep the others from running.
            let later: Array<Effect.Effect<void>> | undefined
            let defect: { readonly thrown: unknown } | undefined
            for (let i = ends.length - 1; i >= 0; i--) {
              let waiting: Effect.Effect<void> | undefined
              try {
                waiting = (ends[i] as OnEnd)(exit, ending)
              } catch (thrown) {
                defect ??= { thrown }
                continue
              }
              if (waiting === undefined) continue
              if (later === undefined) later = [waiting]
              else later.push(waiting)
            }
            const rest =
              later === undefined
                ? Effect.void
                : later.length === 1
                  ? (later[0] as Effect.Effect<void>)
                  : Effect.all(later, { discard: true })
            return defect === undefined ? rest : Effect.andThen(rest, Effect.die(defect.thrown))
          })
        )
        // The annotations cover the ends too: the access log's line says which request it is about.
        return annotations.length === 0 ? ended : Effect.annotateLogs(ended, annotationsOf(annotations, call))
      })
    )

/**
 * Declares an observer of `phase` (see the module's description): `observe` runs as each request starts and
 * returns what to do as it ends.
 */
export const observer = (
  name: string,
  phase: Phase,
  observe: Observe,
  options: { readonly order?: number; readonly annotations?: Annotations } = {}
): Stage => {
  const annotations = options.annotations === undefined ? [] : [options.annotations]
  return {
    name,
    phase,
    order: options.order ?? 0,
    wrap: observing({ observe: [observe], annotations }),
    observe,
    ...(options.annotations === undefined ? {} : { annotations: options.annotations })
  }
}

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

/**
 * Folds stages (already in order) around a final handler; the first stage is the outermost. Observers next to each
 * other share one exit hook, in the same order.
 */
export const chain = (stages: ReadonlyArray<Stage>, last: Handler): Handler => {
  let handler = last
  let observe: Array<Observe> = []
  let annotations: Array<Annotations> = []
  const flush = () => {
    if (observe.length === 0) return
    handler = observing({ observe, annotations })(handler)
    observe = []
    annotations = []
  }
  for (let i = stages.length - 1; i >= 0; i--) {
    const stage = stages[i] as Stage
    if (stage.observe !== undefined) {
      observe.unshift(stage.observe)
      if (stage.annotations !== undefined) annotations.unshift(stage.annotations)
      continue
    }
    flush()
    handler = stage.wrap(handler)
  }
  flush()
  return handler
}
