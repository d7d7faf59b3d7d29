/**
 * The two limits the request path decides at once: the token buckets of this process (the same decisions as
 * effect's in-memory `RateLimiter`, whose arithmetic they follow) and a tenant's concurrency permits.
 */
import { RateLimits } from "@bulwark/tenancy"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Fiber, Layer } from "effect"
import { RateLimiter } from "effect/persistence"
import { TestClock } from "effect/testing"
import * as Permits from "../src/Permits.ts"
import * as TokenBuckets from "../src/TokenBuckets.ts"

const EffectLimiter = RateLimiter.layer.pipe(Layer.provide(RateLimiter.layerStoreMemory))

describe("token buckets", () => {
  it.effect("decide every take as effect's in-memory limiter does, retry times included", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.RateLimiter
      const buckets = TokenBuckets.make()
      const rates = [
        { requests: 3, per: Duration.seconds(1) },
        { requests: 5, per: Duration.minutes(1), burst: 2 },
        { requests: 7, per: Duration.millis(100) }
      ]
      // Takes at uneven times: bursts, partial refills, long pauses.
      const steps = [0, 0, 0, 0, 10, 120, 1, 333, 0, 0, 0, 900, 5, 5, 5, 2000, 0, 0, 0, 0, 12_000, 30_000, 0, 1]
      const ours: Array<number> = []
      const theirs: Array<number> = []
      for (const step of steps) {
        yield* TestClock.adjust(Duration.millis(step))
        const now = yield* Clock.currentTimeMillis
        for (const [i, rate] of rates.entries()) {
          ours.push(RateLimits.takeAt(buckets, `k${i}`, rate, now))
          const decision = yield* RateLimits.take(limiter, `k${i}`, rate)
          theirs.push(decision._tag === "Exceeded" ? decision.retryAfterMs : 0)
        }
      }
      expect(ours).toEqual(theirs)
      // Both allowed and refused takes were seen.
      expect(ours.filter((wait) => wait === 0).length).toBeGreaterThan(10)
      expect(ours.filter((wait) => wait > 0).length).toBeGreaterThan(10)
    }).pipe(Effect.provide(EffectLimiter))
  )
})

const resize = (permits: Permits.Permits, to: number) =>
  Effect.withFiber((fiber) => {
    permits.resize(to, fiber)
    return Effect.void
  })

describe("permits", () => {
  it.effect("are taken at once while free, refused past the limit, and handed to waiters first come first served", () =>
    Effect.gen(function* () {
      const permits = Permits.make(2)
      expect([permits.tryTake(), permits.tryTake(), permits.tryTake()]).toEqual([true, true, false])
      const first = yield* Effect.forkChild(permits.take(Duration.seconds(1)))
      const second = yield* Effect.forkChild(permits.take(Duration.seconds(1)))
      yield* Effect.yieldNow
      yield* permits.giveBack
      expect(yield* Fiber.join(first)).toBe(true)
      // The second still waits: a newcomer does not overtake it.
      expect(permits.tryTake()).toBe(false)
      yield* permits.giveBack
      expect(yield* Fiber.join(second)).toBe(true)
      expect(permits.taken()).toBe(2)
    })
  )

  it.effect("wake a waiter from the dispatcher, not inside the call that gave the permit back", () =>
    Effect.gen(function* () {
      const permits = Permits.make(1)
      expect(permits.tryTake()).toBe(true)
      const waiting = yield* Effect.forkChild(permits.take(Duration.seconds(1)))
      yield* Effect.yieldNow
      const resumedInside = yield* Effect.withFiber((fiber) => {
        permits.release(fiber)
        return Effect.succeed(waiting.pollUnsafe() !== undefined)
      })
      expect(resumedInside).toBe(false)
      expect(yield* Fiber.join(waiting)).toBe(true)
    })
  )

  it.effect("give up after maxWait, and a cancelled waiter leaves the queue without taking a permit", () =>
    Effect.gen(function* () {
      const permits = Permits.make(1)
      expect(permits.tryTake()).toBe(true)
      const late = yield* Effect.forkChild(permits.take(Duration.millis(50)))
      yield* Effect.yieldNow
      yield* TestClock.adjust(Duration.millis(50))
      expect(yield* Fiber.join(late)).toBe(false)
      const cancelled = yield* Effect.forkChild(permits.take(Duration.seconds(1)))
      const next = yield* Effect.forkChild(permits.take(Duration.seconds(1)))
      yield* Effect.yieldNow
      yield* Fiber.interrupt(cancelled)
      // The permit given back goes to the waiter after the cancelled one.
      yield* permits.giveBack
      expect(yield* Fiber.join(next)).toBe(true)
      expect(permits.taken()).toBe(1)
      yield* permits.giveBack
      expect(permits.taken()).toBe(0)
    })
  )

  it.effect("keep the permits in flight across a resize, and admit again once enough came back", () =>
    Effect.gen(function* () {
      const permits = Permits.make(3)
      expect([permits.tryTake(), permits.tryTake(), permits.tryTake()]).toEqual([true, true, true])
      yield* resize(permits, 1)
      yield* permits.giveBack
      expect(permits.tryTake()).toBe(false)
      yield* permits.giveBack
      yield* permits.giveBack
      expect(permits.tryTake()).toBe(true)
      yield* resize(permits, 2)
      expect(permits.tryTake()).toBe(true)
      expect(permits.tryTake()).toBe(false)
    })
  )
})
