/**
 * Backends, as plugins declare them: each database pool, HTTP API or engine a plugin's handlers call, by name, with
 * the policy every call to it runs under (a deadline, retries for idempotent calls within a budget, a circuit breaker,
 * a bulkhead with a per-tenant share, a health probe). A tool, resource or prompt names the backends it calls
 * (`backends: ["tickets-db"]`); a backend named without a declaration runs under the default policy, so that no
 * backend is ever called without one. `@bulwark/resilience` enforces the policies; this module is only what a
 * plugin declares and the failure its callers see.
 *
 * @since 0.1.0
 */
import { Data, Duration, type Effect } from "effect"
import { isTransient } from "../errors/Unavailable.ts"

/** Retries of idempotent calls after transient failures: exponential backoff with jitter, within a budget. */
export interface RetryPolicy {
  /** Attempts after the first (0: no retry). */
  readonly retries?: number
  readonly baseDelay?: Duration.Input
  readonly maxDelay?: Duration.Input
  /** Retries allowed as a share of calls (0.2: at most one retry per five calls, over time), so that retries never multiply load. */
  readonly budget?: number
}

/** When the circuit opens, and for how long. */
export interface BreakerPolicy {
  /** Opens after this many failures in a row. */
  readonly consecutiveFailures?: number
  /** Opens when the share of failures among the last `window` calls reaches `threshold` (once `minimumCalls` were seen). */
  readonly failureRate?: { readonly threshold: number; readonly window: number; readonly minimumCalls?: number }
  /** How long an open circuit refuses calls before letting a probe through. */
  readonly openFor?: Duration.Input
}

/** How many calls may run at once, how many may wait, and a tenant's share. */
export interface BulkheadPolicy {
  readonly maxConcurrent?: number
  readonly maxQueued?: number
  readonly queueTimeout?: Duration.Input
  /** Calls one tenant may have running at once (default: half of `maxConcurrent`, at least 1). */
  readonly perTenant?: number
}

/** A health check run by a supervised fiber: its result drives readiness and the `up` gauge. */
export interface ProbePolicy<R> {
  readonly check: Effect.Effect<unknown, unknown, R>
  readonly every?: Duration.Input
  readonly timeout?: Duration.Input
}

/** Everything about calling one backend. Every field has a default. */
export interface BackendPolicy<R = never> {
  /** The longest one call may take (never more than what is left of the request's deadline). */
  readonly timeout?: Duration.Input
  readonly retry?: RetryPolicy
  readonly breaker?: BreakerPolicy
  readonly bulkhead?: BulkheadPolicy
  readonly probe?: ProbePolicy<R>
  /**
   * Which failures of a call mean the backend is unavailable for a moment (retried if the call is idempotent,
   * counted by the breaker, answered "unavailable, retry"); anything else a call fails with is a bug, answered as an
   * internal error. By default core's `isTransient`: errors that say they are retryable (`effect/sql`'s connection
   * errors, deadlocks, timeouts) or carry a SQLSTATE of class 08 or 57P. An HTTP backend names its own (a 502, a
   * reset connection).
   */
  readonly transient?: (error: unknown) => boolean
}

/** A backend a plugin declares. */
export interface Declaration<R = never> {
  readonly _tag: "BackendDeclaration"
  readonly name: string
  readonly policy: BackendPolicy<R>
}

/** Declares a backend a plugin calls, with its policy. */
export const declare = <R = never>(name: string, policy: BackendPolicy<R> = {}): Declaration<R> => ({
  _tag: "BackendDeclaration",
  name,
  policy
})

/** A policy with every default filled in (durations in milliseconds), and its probe bound to the plugin's services. */
export interface ResolvedPolicy {
  readonly transient: (error: unknown) => boolean
  readonly timeoutMs: number
  readonly retries: number
  readonly baseDelayMs: number
  readonly maxDelayMs: number
  readonly budget: number
  readonly consecutiveFailures: number
  readonly failureRate:
    | { readonly threshold: number; readonly window: number; readonly minimumCalls: number }
    | undefined
  readonly openForMs: number
  readonly maxConcurrent: number
  readonly maxQueued: number
  readonly queueTimeoutMs: number
  readonly perTenant: number
  readonly probe:
    | { readonly check: Effect.Effect<unknown, unknown>; readonly everyMs: number; readonly timeoutMs: number }
    | undefined
}

/** A backend as the catalog knows it: its name, the plugin that declared (or first named) it, and its policy. */
export interface CompiledBackend {
  readonly name: string
  readonly plugin: string
  readonly policy: ResolvedPolicy
}

const millis = (input: Duration.Input | undefined, fallback: string): number =>
  Duration.toMillis(Duration.fromInputUnsafe(input ?? (fallback as Duration.Input)))

/** Fills in a policy's defaults; `probe` is the declared check already bound to its plugin's services. */
export const resolve = (policy: BackendPolicy<unknown>, probe?: Effect.Effect<unknown, unknown>): ResolvedPolicy => {
  const maxConcurrent = policy.bulkhead?.maxConcurrent ?? 16
  const rate = policy.breaker?.failureRate
  return {
    transient: policy.transient ?? isTransient,
    timeoutMs: millis(policy.timeout, "10 seconds"),
    retries: policy.retry?.retries ?? 2,
    baseDelayMs: millis(policy.retry?.baseDelay, "50 millis"),
    maxDelayMs: millis(policy.retry?.maxDelay, "1 second"),
    budget: policy.retry?.budget ?? 0.2,
    consecutiveFailures: policy.breaker?.consecutiveFailures ?? 5,
    failureRate:
      rate === undefined
        ? undefined
        : { threshold: rate.threshold, window: rate.window, minimumCalls: rate.minimumCalls ?? rate.window },
    openForMs: millis(policy.breaker?.openFor, "10 seconds"),
    maxConcurrent,
    maxQueued: policy.bulkhead?.maxQueued ?? maxConcurrent,
    queueTimeoutMs: millis(policy.bulkhead?.queueTimeout, "100 millis"),
    perTenant: policy.bulkhead?.perTenant ?? Math.max(1, Math.floor(maxConcurrent / 2)),
    probe:
      probe === undefined
        ? undefined
        : {
            check: probe,
            everyMs: millis(policy.probe?.every, "5 seconds"),
            timeoutMs: millis(policy.probe?.timeout, "2 seconds")
          }
  }
}

/** Why a backend did not answer a call. */
export type UnavailableReason = "timeout" | "circuit-open" | "overloaded" | "failing"

const explained: Readonly<Record<UnavailableReason, string>> = {
  timeout: "timed out",
  "circuit-open": "is failing and its circuit is open",
  overloaded: "is at capacity",
  failing: "is failing"
}

/** A backend did not answer a call: which one, why, and when to try again. What an agent is told, never silently. */
export class BackendUnavailable extends Data.TaggedError("BackendUnavailable")<{
  readonly backend: string
  readonly reason: UnavailableReason
  readonly retryAfterSeconds: number
}> {
  override get message(): string {
    return `Backend "${this.backend}" ${explained[this.reason]}; retry in ${this.retryAfterSeconds} s.`
  }
}
