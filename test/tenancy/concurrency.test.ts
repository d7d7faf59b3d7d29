import { retryAfterSeconds } from "@bulwark/core"
import { TestDatabase } from "@bulwark/database/testing"
import { TenancyMetrics, TenantDirectory } from "@bulwark/tenancy"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Queue } from "effect"
import {
  callTool,
  counter,
  errorOf,
  type Gate,
  handle,
  makeGate,
  outcome,
  principal,
  request,
  tenant,
  unique,
  withInstance
} from "./support/Fixtures.ts"

const upsert = (config: ReturnType<typeof tenant>) =>
  TenantDirectory.TenantDirectory.use((directory) => directory.upsert(config))

const withGate = <A, E, R>(body: (gate: Gate) => Effect.Effect<A, E, R>) => Effect.flatMap(makeGate, body)

describe("concurrency", () => {
  it.layer(TestDatabase.layer("conc"), { excludeTestServices: true })((it) => {
    it.effect("refuses a request at once when every permit is taken, per tenant", () =>
      withGate((gate) =>
        withInstance(
          Effect.gen(function* () {
            const id = unique("busy")
            const other = unique("calm")
            yield* upsert(tenant({ id, name: "Busy", tools: ["*"], limits: { concurrency: { permits: 2 } } }))
            yield* upsert(tenant({ id: other, name: "Calm", tools: ["*"], limits: { concurrency: { permits: 1 } } }))
            const who = principal(id)
            const first = yield* Effect.forkChild(callTool(who, "hold"))
            const second = yield* Effect.forkChild(callTool(who, "hold"))
            yield* Queue.take(gate.entered)
            yield* Queue.take(gate.entered)

            const third = request("tools/call", { name: "search_tickets", arguments: {} }, who)
            const error = errorOf(yield* Effect.exit(handle(third)))
            expect(error?.code).toBe(-32029)
            expect(error?.data).toEqual({ limit: "concurrency", retryAfterMs: 1000 })
            // A typed refusal naming the stage; the HTTP edge answers it in-band with Retry-After: 1.
            expect(error?._tag).toBe("Refused")
            expect(error !== undefined && error._tag === "Refused" ? retryAfterSeconds(error) : undefined).toBe(1)
            expect(yield* counter(TenancyMetrics.concurrencyRejected, { tenant_id: id })).toBe(1)

            // Another tenant has its own pool.
            const admitted = request("tools/call", { name: "search_tickets", arguments: {} }, principal(other))
            expect(outcome(yield* Effect.exit(handle(admitted)))).toBe("ok")

            yield* gate.release.open
            expect(outcome(yield* Fiber.join(first))).toBe("ok")
            expect(outcome(yield* Fiber.join(second))).toBe("ok")
            expect(outcome(yield* callTool(who, "search_tickets"))).toBe("ok")
          }),
          { gate }
        )
      )
    )

    it.effect("waits up to maxWait for a permit, then refuses", () =>
      withGate((gate) =>
        withInstance(
          Effect.gen(function* () {
            const id = unique("patient")
            yield* upsert(
              tenant({
                id,
                name: "Patient",
                tools: ["*"],
                limits: { concurrency: { permits: 1, maxWait: "300 millis" } }
              })
            )
            const who = principal(id)
            const first = yield* Effect.forkChild(callTool(who, "hold"))
            yield* Queue.take(gate.entered)

            const started = Date.now()
            expect(errorOf(yield* callTool(who, "search_tickets"))?.data).toMatchObject({ limit: "concurrency" })
            expect(Date.now() - started).toBeGreaterThanOrEqual(250)

            // A permit freed within the wait is taken.
            const waiting = yield* Effect.forkChild(callTool(who, "search_tickets"))
            yield* Effect.sleep("50 millis")
            yield* gate.release.open
            expect(outcome(yield* Fiber.join(first))).toBe("ok")
            expect(outcome(yield* Fiber.join(waiting))).toBe("ok")
          }),
          { gate }
        )
      )
    )
  })
})
