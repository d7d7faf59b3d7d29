/**
 * A tenant's concurrency permits: a counting semaphore whose permit a request takes at once when one is free
 * (`tryTake`, without an effect: the request path's way), or waits for up to `maxWait` (`take`), first come, first
 * served, and gives back with `release`. Resizing keeps the permits in flight: with fewer permits than are taken,
 * requests wait or are refused until enough come back.
 *
 * Written here rather than taken from effect's `Semaphore` because that one can only be taken inside an effect,
 * which costs the request path several steps a call; the waiting side is the same idea on a `Deferred` per waiter.
 * As effect's does, a permit given back wakes its waiter from the fiber's dispatcher, not from inside the call that
 * gave it back: a chain of waiting calls that finish at once runs one task after another, not nested in each other.
 *
 * @since 0.1.0
 */
import { Deferred, type Duration, Effect, Exit, type Fiber, Option } from "effect"

/** The permits of one tenant. */
export interface Permits {
  /** Takes a permit when one is free and nobody waits for one. */
  readonly tryTake: () => boolean
  /** Waits up to `maxWait` for a permit: `true` when one was taken. Interrupted, it takes none. */
  readonly take: (maxWait: Duration.Duration) => Effect.Effect<boolean>
  /** Gives a permit back, from `fiber` (the first waiter, if any, is handed it from the fiber's dispatcher). */
  readonly release: (fiber: Fiber.Fiber<unknown, unknown>) => void
  /** `release` as an effect, from the fiber that runs it. */
  readonly giveBack: Effect.Effect<void>
  /** `release` as a request's end (it returns nothing to wait for). */
  readonly releaseAtEnd: (exit: unknown, fiber: Fiber.Fiber<unknown, unknown>) => undefined
  /** Sets the number of permits, from `fiber` (waiters that now fit are handed theirs as `release` does). */
  readonly resize: (permits: number, fiber: Fiber.Fiber<unknown, unknown>) => void
  /** Permits taken now. */
  readonly taken: () => number
}

interface Waiter {
  granted: boolean
  readonly wake: Deferred.Deferred<void>
}

/** Makes `permits` permits. */
export const make = (permits: number): Permits => {
  let total = permits
  let taken = 0
  const waiters: Array<Waiter> = []

  const grant = () => {
    while (waiters.length > 0 && taken < total) {
      const waiter = waiters.shift() as Waiter
      waiter.granted = true
      taken++
      Deferred.doneUnsafe(waiter.wake, Effect.void)
    }
  }
  let granting = false
  const wake = (fiber: Fiber.Fiber<unknown, unknown>) => {
    if (waiters.length === 0 || granting) return
    granting = true
    fiber.currentDispatcher.scheduleTask(() => {
      granting = false
      grant()
    }, 0)
  }
  const release = (fiber: Fiber.Fiber<unknown, unknown>) => {
    taken--
    wake(fiber)
  }
  const tryTake = () => {
    if (waiters.length > 0 || taken >= total) return false
    taken++
    return true
  }
  const take = (maxWait: Duration.Duration): Effect.Effect<boolean> =>
    Effect.suspend(() => {
      if (tryTake()) return Effect.succeed(true)
      const waiter: Waiter = { granted: false, wake: Deferred.makeUnsafe<void>() }
      waiters.push(waiter)
      return Deferred.await(waiter.wake).pipe(
        Effect.timeoutOption(maxWait),
        // A permit granted as the wait ran out is kept; one granted to a waiter that was interrupted goes back.
        Effect.map((woken) => Option.isSome(woken) || waiter.granted),
        Effect.onExit((exit) =>
          Effect.withFiber((fiber) => {
            if (Exit.isSuccess(exit) && exit.value) return Effect.void
            const at = waiters.indexOf(waiter)
            if (at >= 0) waiters.splice(at, 1)
            else if (waiter.granted) release(fiber)
            return Effect.void
          })
        )
      )
    })
  return {
    tryTake,
    take,
    release,
    giveBack: Effect.withFiber((fiber) => {
      release(fiber)
      return Effect.void
    }),
    releaseAtEnd: (_exit, fiber) => {
      release(fiber)
      return undefined
    },
    resize: (permits, fiber) => {
      total = permits
      wake(fiber)
    },
    taken: () => taken
  }
}
