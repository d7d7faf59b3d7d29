/**
 * Load shedding: a server-wide limit on requests in flight, with a short bounded queue in front of it. Below the limit
 * a request runs at once; at the limit it waits in the queue, at most `queueTimeout`, for a request to finish; with the
 * queue full, or past the wait, it is refused at once with `Overloaded`. The server-wide admission also watches the
 * event loop (see `LoopPressure.ts`): a request that arrives late in a long turn of a crowd (past `eventLoopBudget`, or
 * twice that before the overload is sustained) is refused at once too, since the wait in front of it is in the loop,
 * not in the slots. A server past its capacity thus answers the excess quickly (HTTP: 503 with `Retry-After`; stdio: a
 * JSON-RPC error) instead of queueing it until memory grows and every answer is late, and the requests it does admit
 * keep their latency.
 *
 * Transports admit a request before any work on it (the HTTP edge, before reading the body); health checks and
 * metrics are not requests and are never refused. Tenant concurrency limits (tenancy) are a separate, per-tenant
 * fairness rule; this one protects the process.
 *
 * @since 0.1.0
 */
import { Context, Data, Duration, Effect, Layer, Metric, Schema } from "effect"
import { withDefault } from "../schema/WithDefault.ts"
import * as LoopPressure from "./LoopPressure.ts"

/** How much the server takes on at once. */
export const AdmissionConfig = Schema.Struct({
  /** Requests served at the same time, server-wide. */
  maxInFlight: withDefault(Schema.Int.check(Schema.isGreaterThan(0)), 64),
  /** Requests that may wait for a free slot; more are refused at once. */
  maxQueued: withDefault(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)), 64),
  /** How long a request waits in the queue before it is refused. */
  queueTimeout: withDefault(Schema.DurationFromString, "100 millis"),
  /**
   * How long a turn of the event loop may spend on new requests before it refuses the rest of that turn's: twice
   * this in a turn of more requests than the slots and the queue hold, this in any turn once such turns ran past it
   * twice in a row (see `LoopPressure.ts`). Under a flood of clients that resend at once, a turn is this plus the
   * refusals, and an admitted request waits about a turn: 5 ms (CoDel's target) kept the admitted p99 at 2.6-2.9x the
   * unloaded one in `pnpm bench`'s spike where 15 ms let it reach 4.1-5.8x, for some two thirds of the admitted calls.
   */
  eventLoopBudget: withDefault(Schema.DurationFromString, "5 millis")
})
export type AdmissionConfig = typeof AdmissionConfig.Type

/** The limits of one admission: the server-wide one, or a bulkhead's. */
export type AdmissionLimits = Pick<AdmissionConfig, "maxInFlight" | "maxQueued" | "queueTimeout">

/** The server is at capacity: the request was not started. Try again after `retryAfterSeconds`. */
export class Overloaded extends Data.TaggedError("Overloaded")<{
  readonly retryAfterSeconds: number
}> {
  override get message() {
    return `Server overloaded; retry after ${this.retryAfterSeconds} s`
  }
}

/** The JSON-RPC error code of an `Overloaded` refusal. */
export const OVERLOADED_CODE = -32030

/** `bulwark_requests_shed_total`: requests refused because the server was at capacity. */
export const shed: Metric.Counter<number> = Metric.counter("bulwark_requests_shed_total", {
  description: "Requests refused because the server was at capacity (503)",
  incremental: true
})

/** Admits requests. */
export interface AdmissionShape {
  /** Runs `effect` once a slot is free, or fails with `Overloaded` without running it. */
  readonly admit: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | Overloaded, R>
  /**
   * Takes a slot at once if one is free and nobody waits (the common case, for a transport's own event handlers):
   * true when taken, and the caller must then `leave` exactly once, however the request ends.
   */
  readonly tryEnter: () => boolean
  /**
   * For a request `tryEnter` did not take: refuses it at once (and counts the refusal) when waiting would not get it
   * a slot, because the queue is full or its turn of the event loop is over budget; undefined when it may wait
   * (then `admit` it).
   */
  readonly refuseNow: () => Overloaded | undefined
  /** Counts a connection the transport accepted now (see `LoopPressure.accept`). */
  readonly connected: () => void
  /** Gives back a slot taken with `tryEnter`. */
  readonly leave: () => void
  /** Requests running now. */
  readonly inFlight: () => number
}

/** Load shedding for the whole process. */
export class Admission extends Context.Service<Admission, AdmissionShape>()("@bulwark/core/Admission") {}

/**
 * Admission under `config`. The slots are a counter and the queue a FIFO of waiting requests: a finishing request
 * hands its slot to the oldest waiter, so a newcomer never overtakes the queue. Entering is not interruptible (it
 * takes at most `queueTimeout`); the request itself is, and gives its slot back however it ends.
 */
export const make = (
  config: AdmissionLimits,
  options: {
    /** Counts a refusal (the server-wide admission in `bulwark_requests_shed_total`, a bulkhead in its own). */
    readonly onRefused?: () => void
    /** The event loop's watch (the server-wide admission's; by default none). */
    readonly loop?: LoopPressure.LoopPressure
  } = {}
): AdmissionShape => {
  const loop = options.loop ?? LoopPressure.off
  const maxWaitMs = Duration.toMillis(config.queueTimeout)
  // Capacity frees up within moments: come back in a second.
  const refused = new Overloaded({ retryAfterSeconds: 1 })
  const onRefused = options.onRefused ?? (() => undefined)
  const refuse = Effect.suspend(() => {
    onRefused()
    return Effect.fail(refused)
  })
  let inFlight = 0
  const waiting = new Set<() => void>()

  const tryEnter = () => {
    // Every request is counted in its turn of the event loop, taken or not.
    if (loop.arrive() || inFlight >= config.maxInFlight || waiting.size > 0) return false
    inFlight += 1
    return true
  }

  const leaveNow = () => {
    inFlight -= 1
    for (const next of waiting) {
      waiting.delete(next)
      next()
      return
    }
  }

  /** A request that cannot enter now cannot get in by waiting either. */
  const hopeless = () => waiting.size >= config.maxQueued || loop.late()

  const enter = Effect.callback<void, Overloaded>((resume) => {
    if (tryEnter()) return resume(Effect.void)
    if (hopeless()) return resume(refuse)
    const timer = setTimeout(() => {
      waiting.delete(admitted)
      resume(refuse)
    }, maxWaitMs)
    const admitted = () => {
      clearTimeout(timer)
      inFlight += 1
      resume(Effect.void)
    }
    waiting.add(admitted)
  })

  const leave = Effect.sync(leaveNow)

  return {
    inFlight: () => inFlight,
    admit: (effect) =>
      Effect.uninterruptibleMask((restore) => Effect.flatMap(enter, () => Effect.ensuring(restore(effect), leave))),
    tryEnter,
    refuseNow: () => {
      if (!hopeless()) return undefined
      onRefused()
      return refused
    },
    leave: leaveNow,
    connected: loop.accept
  }
}

/** Provides admission under `config`. */
export const layer = (config: AdmissionConfig): Layer.Layer<Admission> =>
  // `bulwark_requests_shed_total` exists from the start (at zero), so that an alert on its rate sees it.
  Layer.effect(
    Admission,
    Effect.gen(function* () {
      yield* Metric.update(shed, 0)
      // Counted where the refusal happens, in a transport's own event handler as much as in a fiber.
      const context = yield* Effect.context<never>()
      return make(config, {
        onRefused: () => shed.updateUnsafe(1, context),
        loop: LoopPressure.make(
          Duration.toMillis(config.eventLoopBudget),
          Math.max(config.maxInFlight + config.maxQueued, LoopPressure.smallestCrowd)
        )
      })
    })
  )

/** Admission that admits everything (in-process tests, compositions that shed load elsewhere). */
export const unlimited: AdmissionShape = {
  admit: (effect) => effect,
  tryEnter: () => true,
  refuseNow: () => undefined,
  leave: () => undefined,
  connected: () => undefined,
  inFlight: () => 0
}
