/**
 * One backend as a supervised actor: everything that stands between a call and the backend, owned in the backend's
 * own scope. A call goes, outermost first, through
 *
 * - the **circuit breaker** (effect's `CircuitBreaker`: consecutive failures, and the failure rate when the policy
 *   asks for it; open, then one probe call when the open time is over): an open circuit refuses at once;
 * - the **bulkhead**: at most `maxConcurrent` calls at once, a short bounded queue, and a cap per tenant so that one
 *   tenant's runaway calls cannot take a backend from the others; full, it refuses at once;
 * - **attempts**, each under a deadline (the smaller of the policy's timeout and what is left of the request's);
 *   a call that times out or fails transiently (the policy's `transient`, by default core's `isTransient`: a lost connection, a
 *   deadlock, a database shutting down) is attempted again only if it is idempotent, after an exponential backoff with jitter, within the retry
 *   budget and the request's deadline. A timed-out or cancelled attempt is interrupted, which frees its connection
 *   (and, on PostgreSQL, cancels its query on the server).
 *
 * The breaker counts one outcome per call: a success (tool errors included: the backend answered), a failure (a
 * timeout, a transient failure after the retries), or nothing (a cancelled call, a bug). A call refused or failed
 * for the backend's sake fails with core's `BackendUnavailable` (which backend, why, when to retry); anything else
 * passes through unchanged. A health probe, when the policy has one, runs in a supervised fiber through the breakers
 * (its failures open the circuit before an agent's call fails, and after the open time it is the probe call that
 * closes it), and drives the `up` gauge and readiness.
 */
import { Admission, type Backend, BackendUnavailable } from "@bulwark/core"
import {
  Cause,
  Clock,
  type Context,
  Duration,
  Effect,
  Exit,
  Fiber,
  Metric,
  Random,
  Schedule,
  type Scope,
  Stream
} from "effect"
import { CircuitBreaker } from "effect/persistence"
import * as BackendMetrics from "./BackendMetrics.ts"
import * as RetryBudget from "./RetryBudget.ts"

/** What a caller tells the guard about a call. */
export interface CallOptions {
  readonly tenantId: string
  /** Safe to repeat: only such calls are retried. */
  readonly idempotent: boolean
  /** Epoch milliseconds when the request must be done, if it has a deadline. */
  readonly deadlineAt?: number
}

/** What the guard says about its backend (for readiness and the admin API). */
export interface BackendStatus {
  readonly name: string
  readonly circuit: "closed" | "half-open" | "open"
  readonly inFlight: number
  /** The last probe's verdict; undefined without a probe or before its first run. */
  readonly up: boolean | undefined
  readonly lastProbeError?: string
}

/** One backend's guard. */
export interface BackendGuard {
  readonly name: string
  readonly call: <A, E, R>(
    effect: Effect.Effect<A, E, R>,
    options: CallOptions
  ) => Effect.Effect<A, E | BackendUnavailable, R>
  /** The backend's status now (its circuit as the breakers' store has it). */
  readonly status: Effect.Effect<BackendStatus>
}

const circuitOf = (to: "Closed" | "HalfOpen" | "Open"): BackendStatus["circuit"] =>
  to === "Closed" ? "closed" : to === "HalfOpen" ? "half-open" : "open"

const circuitValue: Readonly<Record<BackendStatus["circuit"], number>> = { closed: 0, "half-open": 1, open: 2 }

/** Builds the guard of `backend`; its breaker, probe and transition log live in the scope. */
export const make = Effect.fnUntraced(function* (backend: Backend.CompiledBackend) {
  const { name, policy } = backend
  const isTransient = policy.transient

  /** A failure that counts against the backend: its own timeout, or a transient failure. */
  const countsAgainst = (cause: Cause.Cause<unknown>): boolean => {
    if (Cause.hasInterruptsOnly(cause)) return false
    const error = Cause.squash(cause)
    return (error instanceof BackendUnavailable && error.reason === "timeout") || isTransient(error)
  }

  const classify = (exit: Exit.Exit<unknown, unknown>): CircuitBreaker.Outcome =>
    Exit.isSuccess(exit)
      ? CircuitBreaker.success
      : countsAgainst(exit.cause)
        ? CircuitBreaker.failure()
        : CircuitBreaker.ignored
  const labels = { backend: name }
  const metric = {
    calls: (outcome: BackendMetrics.CallOutcome) => Metric.withAttributes(BackendMetrics.calls, { ...labels, outcome }),
    duration: Metric.withAttributes(BackendMetrics.duration, labels),
    retries: Metric.withAttributes(BackendMetrics.retries, labels),
    retriesDenied: Metric.withAttributes(BackendMetrics.retriesDenied, labels),
    circuitState: Metric.withAttributes(BackendMetrics.circuitState, labels),
    inUse: Metric.withAttributes(BackendMetrics.bulkheadInUse, labels),
    up: Metric.withAttributes(BackendMetrics.up, labels)
  }
  const outcomes = {
    success: metric.calls("success"),
    failure: metric.calls("failure"),
    timeout: metric.calls("timeout"),
    circuitOpen: metric.calls("circuit_open"),
    bulkheadFull: metric.calls("bulkhead_full")
  }

  // The breakers: consecutive failures always, the failure rate when the policy asks for it. Both see every call.
  const openDuration = Duration.millis(policy.openForMs)
  const breakers = [
    yield* CircuitBreaker.make({
      tripPolicy: CircuitBreaker.consecutive(policy.consecutiveFailures),
      openDuration
    })
  ]
  if (policy.failureRate !== undefined) {
    breakers.push(
      yield* CircuitBreaker.make({
        tripPolicy: CircuitBreaker.rate({
          threshold: policy.failureRate.threshold,
          size: policy.failureRate.window,
          minimumCalls: policy.failureRate.minimumCalls
        }),
        openDuration
      })
    )
  }
  // Every series of the backend exists from the start (at zero), so that rates and alerts see it before its first
  // failure.
  yield* Metric.update(metric.circuitState, 0)
  yield* Metric.update(metric.inUse, 0)
  yield* Metric.update(Metric.withAttributes(BackendMetrics.bulkheadLimit, labels), policy.maxConcurrent)
  yield* Effect.forEach(Object.values(outcomes), (outcome) => Metric.update(outcome, 0), { discard: true })
  yield* Metric.update(metric.retries, 0)
  for (const breaker of breakers) {
    yield* breaker.transitions.pipe(
      Stream.runForEach((transition) => {
        const circuit = circuitOf(transition.to)
        const log =
          transition.to === "Open"
            ? Effect.logWarning(`backend ${name}: circuit opened`)
            : Effect.logInfo(`backend ${name}: circuit ${circuitOf(transition.to)}`)
        return Effect.all([
          Metric.update(metric.circuitState, circuitValue[circuit]),
          Metric.update(
            Metric.withAttributes(BackendMetrics.circuitTransitions, { ...labels, to: circuitOf(transition.to) }),
            1
          ),
          log.pipe(Effect.annotateLogs({ backend: name, from: transition.from, to: transition.to }))
        ])
      }),
      Effect.forkScoped
    )
  }

  // The bulkhead, and each tenant's share of it.
  const context = yield* Effect.context<never>()
  const bulkheadFull = () => outcomes.bulkheadFull.updateUnsafe(1, context)
  const bulkhead = Admission.make(
    {
      maxInFlight: policy.maxConcurrent,
      maxQueued: policy.maxQueued,
      queueTimeout: Duration.millis(policy.queueTimeoutMs)
    },
    { onRefused: bulkheadFull }
  )
  const shares = new Map<string, Admission.AdmissionShape>()
  const shareOf = (tenantId: string) => {
    let share = shares.get(tenantId)
    if (share === undefined) {
      share = Admission.make(
        {
          maxInFlight: policy.perTenant,
          maxQueued: policy.perTenant,
          queueTimeout: Duration.millis(policy.queueTimeoutMs)
        },
        { onRefused: bulkheadFull }
      )
      shares.set(tenantId, share)
    }
    return share
  }

  const budget = RetryBudget.make(policy.budget)
  const timedOut = new BackendUnavailable({ backend: name, reason: "timeout", retryAfterSeconds: 1 })
  const overloaded = new BackendUnavailable({ backend: name, reason: "overloaded", retryAfterSeconds: 1 })

  const timeout = Effect.andThen(Metric.update(outcomes.timeout, 1), Effect.fail(timedOut))

  /**
   * One attempt, under the smaller of the policy's timeout and what is left of the request. The attempt runs in a
   * fiber of its own that a timeout (or the caller's interruption) interrupts without waiting for it: interrupting
   * a query cancels it on the server, and a stalled server answers that late too, while the caller must get its
   * answer at the deadline. The attempt frees its connection once the cancellation is through.
   */
  const attempt = <A, E, R>(effect: Effect.Effect<A, E, R>, options: CallOptions) =>
    Effect.withFiber<A, E | BackendUnavailable, R>((parent) => {
      const now = parent.getRef(Clock.Clock).currentTimeMillisUnsafe()
      const left = options.deadlineAt === undefined ? policy.timeoutMs : options.deadlineAt - now
      const ms = Math.max(0, Math.min(policy.timeoutMs, left))
      const fiber = Effect.runForkWith(parent.context as Context.Context<R>)(effect)
      const cut = Effect.sync(() => fiber.interruptUnsafe(parent.id))
      // However the race ends (an answer, the timeout, the caller gone), the attempt is cut, without waiting.
      return Effect.raceFirst(Fiber.join(fiber), Effect.andThen(Effect.sleep(Duration.millis(ms)), timeout)).pipe(
        Effect.onExit(() => cut)
      )
    })

  /** Attempts, retried after transient failures when the call may be repeated and the budget allows. */
  const attempts = <A, E, R>(effect: Effect.Effect<A, E, R>, options: CallOptions) => {
    const loop = (retry: number): Effect.Effect<A, E | BackendUnavailable, R> =>
      Effect.exit(attempt(effect, options)).pipe(
        Effect.flatMap((exit) => {
          if (Exit.isSuccess(exit) || !options.idempotent || retry >= policy.retries) return exit
          if (!countsAgainst(exit.cause)) return exit
          if (!budget.tryRetry()) return Effect.andThen(Metric.update(metric.retriesDenied, 1), exit)
          const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry)
          return Effect.flatMap(Effect.all([Random.next, Clock.currentTimeMillis]), ([jitter, now]) => {
            const delay = Math.round(backoff * (0.5 + jitter / 2))
            if (options.deadlineAt !== undefined && now + delay >= options.deadlineAt) return exit
            return Metric.update(metric.retries, 1).pipe(
              Effect.andThen(Effect.sleep(Duration.millis(delay))),
              Effect.andThen(loop(retry + 1))
            )
          })
        })
      )
    return loop(0)
  }

  const call = <A, E, R>(effect: Effect.Effect<A, E, R>, options: CallOptions) => {
    budget.called()
    const share = shareOf(options.tenantId)
    const ran = Effect.clockWith((clock) => {
      const started = clock.currentTimeMillisUnsafe()
      return attempts(effect, options).pipe(
        Effect.onExit((exit) =>
          Effect.all([
            Metric.update(metric.duration, (clock.currentTimeMillisUnsafe() - started) / 1000),
            Exit.isSuccess(exit)
              ? Metric.update(outcomes.success, 1)
              : countsAgainst(exit.cause) && !(Cause.squash(exit.cause) instanceof BackendUnavailable)
                ? Metric.update(outcomes.failure, 1)
                : Effect.void
          ])
        )
      )
    })
    const bulkheaded = bulkhead
      .admit(
        share.admit(
          Effect.acquireUseRelease(
            Metric.update(metric.inUse, bulkhead.inFlight()),
            () => ran,
            () => Metric.update(metric.inUse, bulkhead.inFlight() - 1)
          )
        )
      )
      .pipe(Effect.catchTag("Overloaded", () => Effect.fail(overloaded)))
    const guarded = breakers.reduce(
      (inner, breaker) => breaker.execute(inner, { key: name, classify }),
      bulkheaded as Effect.Effect<A, E | BackendUnavailable | CircuitBreaker.CircuitBreakerError, R>
    )
    return guarded.pipe(
      Effect.catchIf(
        (error): error is CircuitBreaker.CircuitBreakerError => error instanceof CircuitBreaker.CircuitBreakerError,
        (error) =>
          Effect.andThen(
            Metric.update(outcomes.circuitOpen, 1),
            Effect.fail(
              new BackendUnavailable({
                backend: name,
                reason: "circuit-open",
                retryAfterSeconds:
                  error.reason._tag === "CircuitOpen"
                    ? Math.max(1, Math.ceil(Duration.toMillis(error.reason.retryAfter) / 1000))
                    : 1
              })
            )
          )
      ),
      // A transient failure the retries did not overcome: the backend is failing (its cause is logged by the caller).
      Effect.catchCause((cause) =>
        !Cause.hasInterruptsOnly(cause) && isTransient(Cause.squash(cause))
          ? Effect.logWarning(`backend ${name} failed`, cause).pipe(
              Effect.annotateLogs({ backend: name }),
              Effect.andThen(
                Effect.fail(new BackendUnavailable({ backend: name, reason: "failing", retryAfterSeconds: 1 }))
              )
            )
          : Effect.failCause(cause)
      )
    ) as Effect.Effect<A, E | BackendUnavailable, R>
  }

  // The health probe, supervised: it runs for the life of the scope, whatever each check does.
  let up: boolean | undefined
  let lastProbeError: string | undefined
  const probe = policy.probe
  if (probe !== undefined) {
    // The probe goes through the breakers as a call does, and any failure of it counts: a backend that stops
    // answering opens its circuit without an agent's call having to fail first, and once the open time is over the
    // probe is the call that closes it again (or opens it anew), so no agent's call is spent on finding out.
    const probeOutcome = (exit: Exit.Exit<unknown, unknown>): CircuitBreaker.Outcome =>
      Exit.isSuccess(exit) ? CircuitBreaker.success : CircuitBreaker.failure()
    const throughBreakers = breakers.reduce(
      (inner, breaker) => breaker.execute(inner, { key: name, classify: probeOutcome }),
      probe.check.pipe(Effect.timeout(Duration.millis(probe.timeoutMs))) as Effect.Effect<unknown, unknown>
    )
    const check = throughBreakers.pipe(
      Effect.exit,
      Effect.flatMap((exit) => {
        // Refused by an open circuit: nothing was learned about the backend.
        if (Exit.isFailure(exit) && Cause.squash(exit.cause) instanceof CircuitBreaker.CircuitBreakerError) {
          return Effect.void
        }
        const ok = Exit.isSuccess(exit)
        const changed = up !== ok
        up = ok
        lastProbeError = ok ? undefined : String(Cause.squash(exit.cause))
        return Effect.all([
          Metric.update(metric.up, ok ? 1 : 0),
          changed
            ? (ok
                ? Effect.logInfo(`backend ${name}: probe succeeded`)
                : Effect.logWarning(`backend ${name}: probe failed`, lastProbeError)
              ).pipe(Effect.annotateLogs({ backend: name }))
            : Effect.void
        ])
      })
    )
    yield* check.pipe(Effect.repeat(Schedule.spaced(Duration.millis(probe.everyMs))), Effect.forkScoped)
  }

  return {
    name,
    call,
    status: Effect.map(
      Effect.forEach(breakers, (breaker) =>
        breaker.state(name).pipe(
          Effect.map((state) => circuitOf(state._tag)),
          Effect.orElseSucceed(() => "closed" as const)
        )
      ),
      (circuits): BackendStatus => ({
        name,
        circuit: circuits.includes("open") ? "open" : circuits.includes("half-open") ? "half-open" : "closed",
        inFlight: bulkhead.inFlight(),
        up,
        ...(lastProbeError === undefined ? {} : { lastProbeError })
      })
    )
  } satisfies BackendGuard
}) as (
  backend: Backend.CompiledBackend
) => Effect.Effect<BackendGuard, never, CircuitBreaker.CircuitBreakerStore | Scope.Scope>
