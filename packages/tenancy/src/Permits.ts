/**
 * A tenant's concurrency permits: a counting semaphore whose permit a request takes at once when one is free
 * (`tryTake`, without an effect: the request path's way), or waits for up to `maxWait` (`take`), first come, first
 * served, and gives back with `release`. Resizing keeps the permits in flight: with fewer permits than are taken,
 * requests wait or are refused until enough come back.
 *
 * Written here rather than taken from effect's `Semaphore` because that one can only be taken inside an effect,
 * which costs the request path several steps a call; the waiting side is the same idea on a `Deferred` per waiter.
 *
 * @since 0.1.0
 */
import { Deferred, type Duration, Effect, Exit, Option } from "effect"

/** The permits of one tenant. */
export interface Permits {
  /** Takes a permit when one is free and nobody waits for one. */
  readonly tryTake: () => boolean
  /** Waits up to `maxWait` for a permit: `true` when one was taken. Interrupted, it takes none. */
  readonly take: (maxWait: Duration.Duration) => Effect.Effect<boolean>
  /** Gives a permit back (handing it to the first waiter, if any). */
  readonly release: () => void
  /** `release` as a request's end (it returns nothing to wait for). */
  readonly releaseAtEnd: () => undefined
  /** Sets the number of permits. */
  readonly resize: (permits: number) => void
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
  const release = () => {
    taken--
    grant()
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
          Effect.sync(() => {
            if (Exit.isSuccess(exit) && exit.value) return
            const at = waiters.indexOf(waiter)
            if (at >= 0) waiters.splice(at, 1)
            else if (waiter.granted) release()
          })
        )
      )
    })
  return {
    tryTake,
    take,
    release,
    releaseAtEnd: () => {
      release()
      return undefined
    },
    resize: (permits) => {
      total = permits
      grant()
    },
    taken: () => taken
  }
}
