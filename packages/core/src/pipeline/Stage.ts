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
 *
 * A stage that decides whether a request may go on (a tenant, a permission, a limit) is a guard (`guard`): it
 * decides at once from what it holds in memory, letting the request through (with facts for the rest of the chain
 * and something to do at its end), refusing it, or, when it must wait (a first lookup, a shared store), wrapping
 * the rest of the chain in an effect. Guards next to each other are decided in one step, one after the other.
 */
import { Context, Effect, type Exit, type Fiber, References } from "effect"
import type { McpError } from "../errors/McpError.ts"
import type { Refused } from "../errors/Refused.ts"
import type { McpResult } from "../request/McpRequest.ts"
import type { Call } from "./Call.ts"
import { type Begun, withRunHook } from "./RunHook.ts"

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
  /** Set on a guard: its decision (`wrap` does the same as a stage alone). */
  readonly check?: Check
}

/**
 * A guard lets the request through: the rest of the chain runs in `context` when given (the context the guard was
 * given, with what it learned added), and `end` runs when the request ends, however it ends, as an observer's end.
 */
export interface Admitted {
  readonly _tag: "Admitted"
  readonly context?: Context.Context<never> | undefined
  readonly end?: OnEnd | undefined
}

/** A guard that cannot decide from what it holds: it runs the rest of the chain (`rest`) inside an effect of its own. */
export interface Around {
  readonly _tag: "Around"
  readonly around: (rest: Effect.Effect<McpResult, PipelineError>) => Effect.Effect<McpResult, PipelineError>
}

/** A guard's decision: through as is (`undefined`), through with facts or an end (`Admitted`), `Around`, or refused. */
export type Verdict = undefined | Admitted | Around | PipelineError

/**
 * A guard's check, run as the request reaches it. `context` is the request's context with what the guards before it
 * learned: read facts from it, and add to it (`Context.add`) in an `Admitted`.
 */
export type Check = (call: Call, context: Context.Context<never>) => Verdict

/** Lets the request through with `context` for the rest of the chain and `end` to run when it ends. */
export const admitted = (options: {
  readonly context?: Context.Context<never> | undefined
  readonly end?: OnEnd | undefined
}): Admitted => ({ _tag: "Admitted", context: options.context, end: options.end })

/** Runs the rest of the chain inside `around`. */
export const around = (
  f: (rest: Effect.Effect<McpResult, PipelineError>) => Effect.Effect<McpResult, PipelineError>
): Around => ({ _tag: "Around", around: f })

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

/** `context` with `values` added to its log annotations (as `Effect.annotateLogs` adds them). */
const annotated = (
  context: Context.Context<never>,
  values: Readonly<Record<string, unknown>>
): Context.Context<never> => {
  const current = Context.get(context, References.CurrentLogAnnotations)
  let empty = true
  for (const _ in current) {
    empty = false
    break
  }
  return Context.add(context, References.CurrentLogAnnotations, empty ? values : { ...current, ...values })
}

/** `next(call)`, or the defect it threw as it built the effect (the hook must still see the request end). */
const built = (next: Handler, call: Call): Effect.Effect<McpResult, PipelineError> => {
  try {
    return next(call)
  } catch (thrown) {
    return Effect.die(thrown)
  }
}

/** What a run of the observers keeps for their hook: the ends, and the context to restore (when annotated). */
interface Observed {
  readonly ends: ReadonlyArray<OnEnd>
  readonly outside: Context.Context<never> | undefined
}

/**
 * Wraps the rest of the chain in the observers given, with one exit hook (and one log annotation) for all. The hook
 * is registered before the observers start (see `RunHook.ts`), so that every request they saw start is seen to end;
 * the starts run in one synchronous step, which nothing can interrupt. When no end must wait, the hook adds no step
 * of its own to the request.
 */
const observing = (observers: Observers) => (next: Handler) => {
  const { observe, annotations } = observers
  return (call: Call): Effect.Effect<McpResult, PipelineError> =>
    withRunHook(
      (fiber): Begun<Observed, McpResult, PipelineError> => {
        const ends = observe.map((start) => start(call, fiber))
        if (annotations.length === 0) return { state: { ends, outside: undefined }, effect: built(next, call) }
        // The annotations cover the ends too: the access log's line says which request it is about.
        const outside = fiber.context
        fiber.setContext(annotated(outside, annotationsOf(annotations, call)))
        return { state: { ends, outside }, effect: built(next, call) }
      },
      ({ ends, outside }, exit, fiber) => {
        const waiting = runEnds(ends, exit, fiber)
        if (outside === undefined) return waiting
        if (waiting === undefined) return void fiber.setContext(outside)
        return Effect.onExitPrimitive(waiting, () => void fiber.setContext(outside))
      }
    )
}

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

/**
 * Runs the ends, innermost first, and returns what must wait (after them, in the same order), or `undefined` when
 * nothing must. A defect an end threw is raised after everything has run.
 */
const runEnds = (
  ends: ReadonlyArray<OnEnd>,
  exit: Exit.Exit<McpResult, PipelineError>,
  fiber: Fiber.Fiber<unknown, unknown>
): Effect.Effect<void> | undefined => {
  let later: Array<Effect.Effect<void>> | undefined
  let defect: { readonly thrown: unknown } | undefined
  // Innermost first, as nested stages would end; what must wait runs after, in the same order. An end that throws
  // (a defect) does not keep the others from running.
  for (let i = ends.length - 1; i >= 0; i--) {
    let waiting: Effect.Effect<void> | undefined
    try {
      waiting = (ends[i] as OnEnd)(exit, fiber)
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
      ? undefined
      : later.length === 1
        ? (later[0] as Effect.Effect<void>)
        : Effect.all(later, { discard: true })
  if (defect === undefined) return rest
  const die = Effect.die(defect.thrown)
  return rest === undefined ? die : Effect.andThen(rest, die)
}

/** What a run of the guards keeps for their hook: the context to restore, and the ends of those that acted. */
interface Decided {
  readonly before: Context.Context<never> | undefined
  readonly ends: ReadonlyArray<OnEnd> | undefined
}

const nothingDecided: Decided = { before: undefined, ends: undefined }

/**
 * Decides `checks[from...]` for a request, in order, then runs the rest: `next`, a refusal, or what a guard that
 * must wait wraps around the checks after it (decided the same way when it runs them). The rest runs in the context
 * the guards built; the ends of the guards that let the request through run when it ends. As for observers, the
 * exit hook is registered before the checks are decided (see `RunHook.ts`), and they are decided in one synchronous
 * step (every end whose guard acted is run).
 */
const guarded = (
  checks: ReadonlyArray<Check>,
  from: number,
  next: Handler,
  call: Call
): Effect.Effect<McpResult, PipelineError> =>
  withRunHook(
    (fiber): Begun<Decided, McpResult, PipelineError> => {
      const before = fiber.context
      let context = before
      let ends: Array<OnEnd> | undefined
      let rest: Effect.Effect<McpResult, PipelineError> | undefined
      for (let i = from; i < checks.length && rest === undefined; i++) {
        let verdict: Verdict
        try {
          verdict = (checks[i] as Check)(call, context)
        } catch (thrown) {
          rest = Effect.die(thrown)
          break
        }
        if (verdict === undefined) continue
        switch (verdict._tag) {
          case "Admitted":
            if (verdict.context !== undefined) context = verdict.context
            if (verdict.end !== undefined) {
              if (ends === undefined) ends = [verdict.end]
              else ends.push(verdict.end)
            }
            break
          case "Around":
            rest = verdict.around(guarded(checks, i + 1, next, call))
            break
          default:
            rest = Effect.fail(verdict)
        }
      }
      const effect = rest ?? built(next, call)
      if (context === before)
        return { state: ends === undefined ? nothingDecided : { before: undefined, ends }, effect }
      fiber.setContext(context)
      return { state: { before, ends }, effect }
    },
    ({ before, ends }, exit, fiber) => {
      if (before !== undefined) fiber.setContext(before)
      return ends === undefined ? undefined : runEnds(ends, exit, fiber)
    }
  )

/** Decides the guards next to each other in the chain in one step (see `guarded`). */
const guarding =
  (checks: ReadonlyArray<Check>) =>
  (next: Handler): Handler =>
  (call) =>
    guarded(checks, 0, next, call)

/**
 * Declares a guard of `phase` (see the module's description): `check` decides each request as it reaches the guard.
 */
export const guard = (name: string, phase: Phase, check: Check, options: { readonly order?: number } = {}): Stage => ({
  name,
  phase,
  order: options.order ?? 0,
  wrap: guarding([check]),
  check
})

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
 * other share one exit hook, and guards next to each other are decided in one step, in the same order.
 */
export const chain = (stages: ReadonlyArray<Stage>, last: Handler): Handler => {
  let handler = last
  let observe: Array<Observe> = []
  let annotations: Array<Annotations> = []
  let checks: Array<Check> = []
  const flush = () => {
    if (observe.length > 0) {
      handler = observing({ observe, annotations })(handler)
      observe = []
      annotations = []
    }
    if (checks.length > 0) {
      handler = guarding(checks)(handler)
      checks = []
    }
  }
  for (let i = stages.length - 1; i >= 0; i--) {
    const stage = stages[i] as Stage
    if (stage.observe !== undefined) {
      if (checks.length > 0) flush()
      observe.unshift(stage.observe)
      if (stage.annotations !== undefined) annotations.unshift(stage.annotations)
      continue
    }
    if (stage.check !== undefined) {
      if (observe.length > 0) flush()
      checks.unshift(stage.check)
      continue
    }
    flush()
    handler = stage.wrap(handler)
  }
  flush()
  return handler
}
