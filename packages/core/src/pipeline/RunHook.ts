/**
 * An exit hook that knows what its run learned. The pipeline's observers, guards and deadline each do something as
 * a request reaches them (start an observer, decide a guard, start the tool's fiber) and must undo or finish it when
 * the request ends, however it ends. Registering the hook with `Effect.onExitPrimitive` before that first step costs
 * no mask and no extra step, but the hook is given only the exit: what the first step learned has to be kept beside
 * the effect.
 *
 * `withRunHook` keeps it for one run at a time, with the fiber that runs it, so that the effect stays a value: a
 * stage outside may run it again after it ended (a retry), and a run that begins while another is in progress (a
 * hedge, in another fiber) goes through a wrapping of its own.
 */
import { Effect, type Exit, Fiber } from "effect"

/** What a run's first step returns: what to keep for the hook, and the effect to run. */
export interface Begun<S, A, E> {
  readonly state: S
  readonly effect: Effect.Effect<A, E>
}

/**
 * Runs `begin` in the fiber as the effect starts, then the effect it returns; when that ends, `end` is given what
 * `begin` kept, the exit and the fiber (uninterruptibly, as `Effect.onExitPrimitive` runs it) and may return an
 * effect to wait for. A `begin` that throws leaves the hook nothing to do.
 */
export const withRunHook = <S, A, E>(
  begin: (fiber: Fiber.Fiber<unknown, unknown>) => Begun<S, A, E>,
  end: (state: S, exit: Exit.Exit<A, E>, fiber: Fiber.Fiber<unknown, unknown>) => Effect.Effect<void> | undefined
): Effect.Effect<A, E> => {
  let owner: Fiber.Fiber<unknown, unknown> | undefined
  let kept: S | undefined
  return Effect.onExitPrimitive(
    Effect.withFiber((fiber) => {
      if (owner !== undefined) return withRunHook(begin, end)
      const begun = begin(fiber)
      owner = fiber
      kept = begun.state
      return begun.effect
    }),
    (exit) => {
      const fiber = owner
      if (fiber === undefined || fiber !== Fiber.getCurrent()) return undefined
      const state = kept as S
      owner = undefined
      kept = undefined
      return end(state, exit, fiber)
    }
  )
}
