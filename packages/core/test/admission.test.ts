/**
 * Load shedding: a fixed number of requests in flight, a short queue in front of them (first come, first served,
 * bounded in length and in time), and an immediate `Overloaded` for the rest, and for the requests late in a crowded
 * turn of the event loop. Slots come back however a request ends.
 */
import { Admission, AdmissionConfig, LoopPressure } from "@bulwark/core"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Schema } from "effect"

const config = (settings: Partial<(typeof AdmissionConfig)["Encoded"]>) =>
  Schema.decodeUnknownSync(AdmissionConfig)(settings)

/** A request that holds its slot until `done` is completed, recording when it started. */
const holding = (started: Array<string>, name: string, done: Deferred.Deferred<void>) =>
  Effect.sync(() => started.push(name)).pipe(Effect.andThen(Deferred.await(done)), Effect.as(name))

describe("Admission", () => {
  it.live("runs up to maxInFlight at once, queues maxQueued in order, and refuses the rest at once", () =>
    Effect.gen(function* () {
      const admission = Admission.make(config({ maxInFlight: 2, maxQueued: 2, queueTimeout: "5 seconds" }))
      const started: Array<string> = []
      const done = yield* Deferred.make<void>()
      const fibers = yield* Effect.forEach(["a", "b", "c", "d"], (name) =>
        Effect.forkChild(admission.admit(holding(started, name, done)))
      )
      yield* Effect.sleep("20 millis")
      expect(started).toEqual(["a", "b"])

      const refusedAt = performance.now()
      const refused = yield* Effect.flip(admission.admit(Effect.succeed("e")))
      expect(performance.now() - refusedAt).toBeLessThan(50)
      expect(refused).toBeInstanceOf(Admission.Overloaded)
      expect(refused.retryAfterSeconds).toBe(1)

      yield* Deferred.succeed(done, undefined)
      expect(yield* Fiber.joinAll(fibers)).toEqual(["a", "b", "c", "d"])
      expect(started).toEqual(["a", "b", "c", "d"])
      // Everything given back: the full capacity is free again.
      expect(yield* admission.admit(Effect.succeed("f"))).toBe("f")
    })
  )

  it.live("refuses a queued request once it has waited queueTimeout", () =>
    Effect.gen(function* () {
      const admission = Admission.make(config({ maxInFlight: 1, maxQueued: 5, queueTimeout: "100 millis" }))
      const done = yield* Deferred.make<void>()
      const holder = yield* Effect.forkChild(admission.admit(Deferred.await(done)))
      yield* Effect.sleep("10 millis")
      const waitedFrom = performance.now()
      const refused = yield* Effect.flip(admission.admit(Effect.succeed("late")))
      const waited = performance.now() - waitedFrom
      expect(refused._tag).toBe("Overloaded")
      expect(waited).toBeGreaterThanOrEqual(90)
      expect(waited).toBeLessThan(1000)
      yield* Deferred.succeed(done, undefined)
      yield* Fiber.join(holder)
    })
  )

  it.live("refuses at once, and counts it, a request that waiting would not help; lets one that may wait queue", () =>
    Effect.gen(function* () {
      let counted = 0
      const admission = Admission.make(config({ maxInFlight: 1, maxQueued: 1, queueTimeout: "5 seconds" }), {
        onRefused: () => {
          counted += 1
        }
      })
      expect(admission.tryEnter()).toBe(true)
      // The slot is taken, the queue empty: a newcomer may wait.
      expect(admission.tryEnter()).toBe(false)
      expect(admission.refuseNow()).toBeUndefined()
      const waiter = yield* Effect.forkChild(admission.admit(Effect.succeed("waited")))
      yield* Effect.sleep("10 millis")
      // The queue is full: refused at once, and counted, as `admit` refuses and counts.
      expect(admission.refuseNow()).toBeInstanceOf(Admission.Overloaded)
      expect(counted).toBe(1)
      expect((yield* Effect.flip(admission.admit(Effect.void)))._tag).toBe("Overloaded")
      expect(counted).toBe(2)
      admission.leave()
      expect(yield* Fiber.join(waiter)).toBe("waited")
    })
  )

  it.live("refuses, with free slots, the requests late in a crowded turn of the event loop", () =>
    Effect.sync(() => {
      const admission = Admission.make(config({ maxInFlight: 1000, maxQueued: 0 }), {
        loop: LoopPressure.make(10, 16)
      })
      const taken: Array<boolean> = []
      const until = performance.now() + 40
      // One turn, a request every millisecond or so for 40 ms: past 20 ms (twice the budget) they are refused.
      while (performance.now() < until) {
        const entered = admission.tryEnter()
        taken.push(entered)
        const next = performance.now() + 1
        while (performance.now() < next) {
          // a request's work
        }
      }
      expect(taken.slice(0, 16).every(Boolean)).toBe(true)
      expect(taken.at(-1)).toBe(false)
      expect(admission.refuseNow()).toBeInstanceOf(Admission.Overloaded)
      expect(admission.inFlight()).toBe(taken.filter(Boolean).length)
    })
  )

  it.live("gives the slot back when a request fails, dies or is interrupted", () =>
    Effect.gen(function* () {
      const admission = Admission.make(config({ maxInFlight: 1, maxQueued: 0 }))
      expect(Exit.isFailure(yield* Effect.exit(admission.admit(Effect.fail("no"))))).toBe(true)
      expect(Exit.isFailure(yield* Effect.exit(admission.admit(Effect.die("kaput"))))).toBe(true)
      const stuck = yield* Effect.forkChild(admission.admit(Effect.never))
      yield* Effect.sleep("10 millis")
      expect(Exit.isFailure(yield* Effect.exit(admission.admit(Effect.void)))).toBe(true)
      yield* Fiber.interrupt(stuck)
      expect(yield* admission.admit(Effect.succeed("free again"))).toBe("free again")
    })
  )
})
