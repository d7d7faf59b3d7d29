import { TestDatabase } from "@bulwark/database/testing"
import { Quotas, TenancyMetrics, TenantDirectory } from "@bulwark/tenancy"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Queue } from "effect"
import {
  callTool,
  counter,
  errorOf,
  makeGate,
  outcome,
  principal,
  tenant,
  unique,
  withInstance
} from "./support/Fixtures.ts"

const upsert = (config: ReturnType<typeof tenant>) =>
  TenantDirectory.TenantDirectory.use((directory) => directory.upsert(config))

const usage = (id: string) => Quotas.Quotas.use((quotas) => quotas.usage(id))

const untilNextUtcMidnight = () => {
  const now = new Date()
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) - now.getTime()
}

const untilNextUtcMonth = () => {
  const now = new Date()
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) - now.getTime()
}

describe("quotas", () => {
  it.layer(TestDatabase.layer("quota"), { excludeTestServices: true })((it) => {
    it.effect("charges each tool's cost and refuses exactly at the daily limit until midnight UTC", () =>
      withInstance(
        Effect.gen(function* () {
          const id = unique("daily")
          yield* upsert(
            tenant({
              id,
              name: "Daily",
              tools: ["*"],
              quotas: { daily: 10, monthly: 100, toolCosts: { generate_report: 4 } }
            })
          )
          const who = principal(id)
          expect(outcome(yield* callTool(who, "generate_report"))).toBe("ok") // 4
          expect(outcome(yield* callTool(who, "generate_report"))).toBe("ok") // 8
          const third = errorOf(yield* callTool(who, "generate_report")) // would be 12
          expect(third?.code).toBe(-32029)
          expect(third?.data).toMatchObject({ limit: "daily quota" })
          const retryAfterMs = (third?.data as { retryAfterMs: number } | undefined)?.retryAfterMs ?? Number.NaN
          expect(Math.abs(retryAfterMs - untilNextUtcMidnight())).toBeLessThan(5_000)

          expect(outcome(yield* callTool(who, "search_tickets"))).toBe("ok") // 9
          expect(outcome(yield* callTool(who, "search_tickets"))).toBe("ok") // 10
          expect(errorOf(yield* callTool(who, "search_tickets"))?.data).toMatchObject({ limit: "daily quota" })
          expect(yield* usage(id)).toEqual({ day: 10, month: 10 })

          expect(yield* counter(TenancyMetrics.quotaUnits, { tenant_id: id, tool_name: "generate_report" })).toBe(8)
          expect(yield* counter(TenancyMetrics.quotaUnits, { tenant_id: id, tool_name: "search_tickets" })).toBe(2)
          expect(
            yield* counter(TenancyMetrics.quotaRejected, {
              tenant_id: id,
              tool_name: "generate_report",
              limit: "daily quota"
            })
          ).toBe(1)
        })
      )
    )

    it.effect("counts a tool's units under a cost changed on a running tenant from its next call", () =>
      withInstance(
        Effect.gen(function* () {
          const id = unique("cost-change")
          yield* upsert(tenant({ id, name: "Costs", tools: ["*"] }))
          const who = principal(id)
          const units = counter(TenancyMetrics.quotaUnits, { tenant_id: id, tool_name: "search_tickets" })
          expect(outcome(yield* callTool(who, "search_tickets"))).toBe("ok")
          expect(yield* units).toBe(1)
          yield* upsert(tenant({ id, name: "Costs", tools: ["*"], quotas: { toolCosts: { search_tickets: 5 } } }))
          expect(outcome(yield* callTool(who, "search_tickets"))).toBe("ok")
          expect(yield* units).toBe(6)
        })
      )
    )

    it.effect("refuses at the monthly limit without charging the day", () =>
      withInstance(
        Effect.gen(function* () {
          const id = unique("monthly")
          yield* upsert(tenant({ id, name: "Monthly", tools: ["*"], quotas: { daily: 100, monthly: 3 } }))
          const who = principal(id)
          for (let i = 0; i < 3; i++) expect(outcome(yield* callTool(who, "search_tickets"))).toBe("ok")
          const fourth = errorOf(yield* callTool(who, "search_tickets"))
          expect(fourth?.data).toMatchObject({ limit: "monthly quota" })
          const retryAfterMs = (fourth?.data as { retryAfterMs: number } | undefined)?.retryAfterMs ?? Number.NaN
          expect(Math.abs(retryAfterMs - untilNextUtcMonth())).toBeLessThan(5_000)
          expect(yield* usage(id)).toEqual({ day: 3, month: 3 })
        })
      )
    )

    it.effect("counts exactly under concurrent calls", () =>
      withInstance(
        Effect.gen(function* () {
          const id = unique("burst")
          yield* upsert(tenant({ id, name: "Burst", tools: ["*"], quotas: { daily: 10 } }))
          const who = principal(id)
          const results = yield* Effect.forEach(
            Array.from({ length: 25 }, () => callTool(who, "search_tickets")),
            (call) => call,
            { concurrency: "unbounded" }
          )
          const outcomes = results.map(outcome)
          expect(outcomes.filter((o) => o === "ok")).toHaveLength(10)
          expect(outcomes.filter((o) => o === -32029)).toHaveLength(15)
          expect((yield* usage(id)).day).toBe(10)
        })
      )
    )

    it.effect("gives the units back when a later guard refuses the call", () =>
      Effect.gen(function* () {
        const gate = yield* makeGate
        yield* withInstance(
          Effect.gen(function* () {
            const id = unique("refund")
            yield* upsert(
              tenant({
                id,
                name: "Refund",
                tools: ["*"],
                quotas: { daily: 10, toolCosts: { hold: 3 } },
                limits: { concurrency: { permits: 1 } }
              })
            )
            const who = principal(id)
            const held = yield* Effect.forkChild(callTool(who, "hold"))
            yield* Queue.take(gate.entered)
            expect(errorOf(yield* callTool(who, "hold"))?.data).toMatchObject({ limit: "concurrency" })
            yield* gate.release.open
            expect(outcome(yield* Fiber.join(held))).toBe("ok")
            expect(yield* usage(id)).toEqual({ day: 3, month: 0 })
          }),
          { gate }
        )
      })
    )
  })
})
