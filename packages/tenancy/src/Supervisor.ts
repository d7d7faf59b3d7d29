/**
 * Supervised background work: a crashed fiber is logged, counted and restarted with backoff; never silent.
 *
 * @since 0.1.0
 */
import { Cause, Clock, Duration, Effect, Exit } from "effect"
import * as TenancyMetrics from "./TenancyMetrics.ts"

/** Backoff between restarts: `base`, doubling per consecutive crash, at most `max`. */
export interface Backoff {
  readonly base: Duration.Input
  readonly max: Duration.Input
}

/** The default backoff: 100 ms doubling up to 30 s. */
export const defaultBackoff: Backoff = { base: "100 millis", max: "30 seconds" }

/** What is supervised: a task name and, for a tenant's work, the tenant. */
export interface SuperviseOptions {
  readonly task: string
  readonly tenantId?: string
  readonly backoff?: Backoff
}

/** The delay before restart number `attempt` (0-based). */
export const delayFor = (backoff: Backoff, attempt: number): Duration.Duration => {
  const base = Duration.toMillis(Duration.fromInputUnsafe(backoff.base))
  const max = Duration.toMillis(Duration.fromInputUnsafe(backoff.max))
  return Duration.millis(Math.min(max, base * 2 ** Math.min(attempt, 30)))
}

/**
 * Runs `effect` until it succeeds or is interrupted. Each failure or defect is logged with its cause, counted in
 * `bulwark_background_restarts_total` and followed by a restart after the backoff; a run that lasted longer than the
 * maximum backoff starts the backoff over.
 */
export const supervise = <E, R>(
  effect: Effect.Effect<void, E, R>,
  options: SuperviseOptions
): Effect.Effect<void, never, R> =>
  Effect.gen(function* () {
    const backoff = options.backoff ?? defaultBackoff
    const maxMs = Duration.toMillis(Duration.fromInputUnsafe(backoff.max))
    const who = options.tenantId === undefined ? options.task : `${options.task} of tenant "${options.tenantId}"`
    let attempt = 0
    while (true) {
      const started = yield* Clock.currentTimeMillis
      const exit = yield* Effect.exit(effect)
      if (Exit.isSuccess(exit)) return
      if (Cause.hasInterruptsOnly(exit.cause)) return yield* Effect.interrupt
      const ranMs = (yield* Clock.currentTimeMillis) - started
      if (ranMs > maxMs) attempt = 0
      const delay = delayFor(backoff, attempt)
      attempt++
      yield* TenancyMetrics.count(TenancyMetrics.backgroundRestarts, {
        tenant_id: options.tenantId ?? "",
        task: options.task
      })
      yield* Effect.logError(`background task ${who} crashed; restarting in ${Duration.format(delay)}`, exit.cause)
      yield* Effect.sleep(delay)
    }
  })
