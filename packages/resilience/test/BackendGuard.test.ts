/**
 * One backend's guard, on a backend the test controls (an effect that answers, waits or fails the way a database
 * driver does, with `effect/sql`'s own error classes): deadlines, retries of idempotent calls within the budget,
 * the circuit breaker's trip and recovery, the bulkhead and a tenant's share of it. Real time, short durations.
 */
import { Backend, BackendUnavailable } from "@bulwark/core"
import { BackendGuard } from "@bulwark/resilience"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import { CircuitBreaker } from "effect/persistence"
import { ConnectionError, SqlError } from "effect/sql/SqlError"

const lost = () =>
  new SqlError({ reason: new ConnectionError({ cause: new Error("ECONNRESET"), message: "Connection lost" }) })

/** A backend that fails transiently `failures` times, then answers; counts the calls that reached it. */
const flaky = (failures: number) => {
  let calls = 0
  const effect = Effect.suspend(() => {
    calls += 1
    return calls <= failures ? Effect.die(lost()) : Effect.succeed("answer")
  })
  return { effect, calls: () => calls }
}

const guardOf = (policy: Backend.BackendPolicy) =>
  BackendGuard.make({ name: "test-db", plugin: "test", policy: Backend.resolve(policy) })

const run = <A, E>(guard: BackendGuard.BackendGuard, effect: Effect.Effect<A, E>, idempotent = true, tenantId = "t1") =>
  Effect.exit(guard.call(effect, { tenantId, idempotent }))

const failureOf = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isFailure(exit) ? exit.cause.reasons.find((reason) => reason._tag === "Fail")?.error : undefined

const scoped = <A, E>(effect: Effect.Effect<A, E, CircuitBreaker.CircuitBreakerStore | import("effect").Scope.Scope>) =>
  effect.pipe(Effect.scoped, Effect.provide(CircuitBreaker.layerStoreMemory()))

describe("a backend's guard", () => {
  it.live("cuts a call at the policy's timeout, as unavailable: timeout", () =>
    scoped(
      Effect.gen(function* () {
        const guard = yield* guardOf({ timeout: "100 millis" })
        const started = Date.now()
        const exit = yield* run(guard, Effect.sleep("5 seconds"))
        expect(Date.now() - started).toBeLessThan(1000)
        expect(failureOf(exit)).toMatchObject({ _tag: "BackendUnavailable", reason: "timeout", backend: "test-db" })
      })
    )
  )

  it.live("retries an idempotent call after transient failures, and never one that is not", () =>
    scoped(
      Effect.gen(function* () {
        const guard = yield* guardOf({ retry: { retries: 2, baseDelay: "5 millis" } })
        const twice = flaky(2)
        expect(yield* run(guard, twice.effect)).toEqual(Exit.succeed("answer"))
        expect(twice.calls()).toBe(3)
        const once = flaky(1)
        const exit = yield* run(guard, once.effect, false)
        expect(once.calls()).toBe(1)
        expect(failureOf(exit)).toMatchObject({ _tag: "BackendUnavailable", reason: "failing" })
      })
    )
  )

  it.live("keeps retries within the budget: a fifth of calls, after a small reserve", () =>
    scoped(
      Effect.gen(function* () {
        const guard = yield* guardOf({
          retry: { retries: 3, baseDelay: "1 millis", budget: 0.2 },
          breaker: { consecutiveFailures: 1000 }
        })
        const down = flaky(Number.POSITIVE_INFINITY)
        for (let i = 0; i < 100; i++) yield* run(guard, down.effect)
        // 100 calls: a reserve of 10 retries, then one per five calls (about 20): never the 300 of three retries each.
        expect(down.calls() - 100).toBeGreaterThanOrEqual(25)
        expect(down.calls() - 100).toBeLessThanOrEqual(32)
      })
    )
  )

  it.live("opens the circuit after consecutive failures, refuses without calling, and closes after a good probe", () =>
    scoped(
      Effect.gen(function* () {
        const guard = yield* guardOf({
          retry: { retries: 0 },
          breaker: { consecutiveFailures: 3, openFor: "200 millis" }
        })
        const down = flaky(3)
        for (let i = 0; i < 3; i++) yield* run(guard, down.effect)
        const refused = yield* run(guard, down.effect)
        expect(failureOf(refused)).toMatchObject({ _tag: "BackendUnavailable", reason: "circuit-open" })
        expect(down.calls()).toBe(3)
        expect((yield* guard.status).circuit).toBe("open")
        yield* Effect.sleep("250 millis")
        expect(yield* run(guard, down.effect)).toEqual(Exit.succeed("answer"))
        expect((yield* guard.status).circuit).toBe("closed")
      })
    )
  )

  it.live("refuses at once past the bulkhead, and caps one tenant's share of it", () =>
    scoped(
      Effect.gen(function* () {
        const guard = yield* guardOf({
          bulkhead: { maxConcurrent: 3, maxQueued: 0, perTenant: 2, queueTimeout: "10 millis" }
        })
        const slow = Effect.sleep("300 millis").pipe(Effect.as("done"))
        const a1 = yield* Effect.forkChild(run(guard, slow, true, "a"))
        const a2 = yield* Effect.forkChild(run(guard, slow, true, "a"))
        yield* Effect.sleep("20 millis")
        // Tenant a has its two; its third call is refused while tenant b still gets the last slot.
        const a3 = yield* run(guard, slow, true, "a")
        expect(failureOf(a3)).toMatchObject({ _tag: "BackendUnavailable", reason: "overloaded" })
        const b1 = yield* Effect.forkChild(run(guard, slow, true, "b"))
        yield* Effect.sleep("20 millis")
        expect((yield* guard.status).inFlight).toBe(3)
        const b2 = yield* run(guard, slow, true, "b")
        expect(failureOf(b2)).toMatchObject({ _tag: "BackendUnavailable", reason: "overloaded" })
        for (const fiber of [a1, a2, b1]) expect(yield* Fiber.join(fiber)).toEqual(Exit.succeed("done"))
        expect((yield* guard.status).inFlight).toBe(0)
      })
    )
  )

  it.live("lets its health probe open the circuit of a silent backend, and close it once it answers again", () =>
    scoped(
      Effect.gen(function* () {
        let healthy = false
        const check = Effect.suspend(() => (healthy ? Effect.void : Effect.fail(new Error("no answer"))))
        const guard = yield* BackendGuard.make({
          name: "probed-db",
          plugin: "test",
          policy: Backend.resolve(
            { breaker: { consecutiveFailures: 2, openFor: "100 millis" }, probe: { check, every: "20 millis" } },
            check
          )
        })
        // No agent called: the probe's failures alone open the circuit.
        yield* Effect.sleep("80 millis")
        expect(yield* guard.status).toMatchObject({ circuit: "open", up: false })
        const refused = yield* run(guard, Effect.succeed("never runs"))
        expect(failureOf(refused)).toMatchObject({ reason: "circuit-open" })
        // The backend answers again: after the open time the probe is the call that closes the circuit.
        healthy = true
        yield* Effect.sleep("200 millis")
        expect(yield* guard.status).toMatchObject({ circuit: "closed", up: true })
        expect(yield* run(guard, Effect.succeed("answer"))).toEqual(Exit.succeed("answer"))
      })
    )
  )

  it("says which backend, why and when to retry", () => {
    const failure = new BackendUnavailable({ backend: "tickets-db", reason: "circuit-open", retryAfterSeconds: 4 })
    expect(failure.message).toBe('Backend "tickets-db" is failing and its circuit is open; retry in 4 s.')
  })
})
