import { type McpRequest, retryAfterSeconds } from "@bulwark/core"
import { TestDatabase } from "@bulwark/database/testing"
import { TenancyMetrics, TenantDirectory } from "@bulwark/tenancy"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import {
  buildInstance,
  callTool,
  cleanRedisOnExit,
  counter,
  errorOf,
  handle,
  outcome,
  principal,
  quiet,
  redisUrl,
  request,
  tenant,
  unique,
  withInstance
} from "./support/Fixtures.ts"

const limited = (id: string, extra: Record<string, unknown> = {}) =>
  tenant({
    id,
    name: "Limited",
    tools: ["*"],
    limits: { rate: { requests: 5, per: "1 minute" }, ...extra }
  })

const upsert = (config: ReturnType<typeof tenant>) =>
  TenantDirectory.TenantDirectory.use((directory) => directory.upsert(config))

describe("rate limits", () => {
  it.layer(TestDatabase.layer("rate"), { excludeTestServices: true })((it) => {
    it.effect("lets exactly 5 requests a minute through, then refuses with retry-after and 429", () =>
      withInstance(
        Effect.gen(function* () {
          const id = unique("rate")
          yield* upsert(limited(id))
          const who = principal(id)
          for (let i = 0; i < 5; i++) expect(outcome(yield* callTool(who, "search_tickets"))).toBe("ok")

          const sixth: McpRequest = request("tools/call", { name: "search_tickets", arguments: {} }, who)
          const error = errorOf(yield* Effect.exit(handle(sixth)))
          expect(error?.code).toBe(-32029)
          const data = error?.data as { limit: string; retryAfterMs: number }
          expect(data.limit).toBe("tenant rate")
          // One request refills every 60 s / 5 = 12 s.
          expect(data.retryAfterMs).toBeGreaterThan(10_000)
          expect(data.retryAfterMs).toBeLessThanOrEqual(12_000)
          // The HTTP edge answers this refusal in-band with Retry-After.
          expect(error?._tag).toBe("Refused")
          expect(String(error?._tag === "Refused" ? retryAfterSeconds(error) : undefined)).toMatch(/^1[12]$/)

          // Every request counts, lists too.
          expect(outcome(yield* Effect.exit(handle(request("tools/list", {}, who))))).toBe(-32029)

          const labels = { tenant_id: id, method: "tools/call", tool_name: "search_tickets", limit: "tenant" }
          expect(yield* counter(TenancyMetrics.rateLimitAllowed, labels)).toBe(5)
          expect(yield* counter(TenancyMetrics.rateLimitRejected, labels)).toBe(1)
          const listing = { ...labels, method: "tools/list", tool_name: "" }
          expect(yield* counter(TenancyMetrics.rateLimitRejected, listing)).toBe(1)
        })
      )
    )

    it.effect("applies a tool rate added to a running tenant from its next request", () =>
      withInstance(
        Effect.gen(function* () {
          const id = unique("rate-change")
          yield* upsert(limited(id))
          const who = principal(id)
          expect(outcome(yield* callTool(who, "search_tickets"))).toBe("ok")
          // The guard keeps its checks per tool and configuration: the change must reach the next call.
          yield* upsert(limited(id, { toolRates: { search_tickets: { requests: 1, per: "1 minute" } } }))
          expect(outcome(yield* callTool(who, "search_tickets"))).toBe("ok")
          expect(errorOf(yield* callTool(who, "search_tickets"))?.data).toMatchObject({
            limit: "tool rate: search_tickets"
          })
        })
      )
    )

    it.effect("limits an expensive tool on its own, independently of the tenant's rate", () =>
      withInstance(
        Effect.gen(function* () {
          const id = unique("tool-rate")
          yield* upsert(limited(id, { toolRates: { generate_report: { requests: 2, per: "1 minute" } } }))
          const who = principal(id)
          expect(outcome(yield* callTool(who, "generate_report"))).toBe("ok")
          expect(outcome(yield* callTool(who, "generate_report"))).toBe("ok")
          const third = errorOf(yield* callTool(who, "generate_report"))
          expect(third?.data).toMatchObject({ limit: "tool rate: generate_report" })
          expect((third?.data as { retryAfterMs: number } | undefined)?.retryAfterMs ?? Number.NaN).toBeGreaterThan(
            25_000
          )

          // The refused report did not use the tenant's budget: 3 more requests fit in its 5.
          for (let i = 0; i < 3; i++) expect(outcome(yield* callTool(who, "search_tickets"))).toBe("ok")
          expect(errorOf(yield* callTool(who, "search_tickets"))?.data).toMatchObject({ limit: "tenant rate" })
          expect(
            yield* counter(TenancyMetrics.rateLimitRejected, {
              tenant_id: id,
              method: "tools/call",
              tool_name: "generate_report",
              limit: "tool"
            })
          ).toBe(1)
        })
      )
    )

    it.effect("shares one budget between two server instances through Redis", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const id = unique("shared")
          yield* cleanRedisOnExit(id)
          const a = yield* buildInstance({ redisUrl })
          const b = yield* buildInstance({ redisUrl })
          yield* upsert(limited(id)).pipe(Effect.provideContext(a))
          const who = principal(id)
          const on = (instance: typeof a) => Effect.provideContext(callTool(who, "search_tickets"), instance)
          const results = []
          for (const instance of [a, b, a, b, a]) results.push(outcome(yield* on(instance)))
          expect(results).toEqual(["ok", "ok", "ok", "ok", "ok"])
          const sixth = request("tools/call", { name: "search_tickets", arguments: {} }, who)
          const error = errorOf(yield* Effect.exit(handle(sixth)).pipe(Effect.provideContext(b)))
          expect(error?.data).toMatchObject({ limit: "tenant rate" })
          expect(error?._tag).toBe("Refused")
          expect(outcome(yield* on(a))).toBe(-32029)
        })
      ).pipe(quiet)
    )

    it.effect("keeps separate budgets per instance with the in-memory limiter", () =>
      Effect.scoped(
        Effect.gen(function* () {
          // Without Redis, each instance keeps its own limits in memory.
          const a = yield* buildInstance()
          const b = yield* buildInstance()
          const id = unique("local")
          yield* upsert(limited(id)).pipe(Effect.provideContext(a))
          const who = principal(id)
          const on = (instance: typeof a) => Effect.provideContext(callTool(who, "search_tickets"), instance)
          for (let i = 0; i < 5; i++) expect(outcome(yield* on(a))).toBe("ok")
          expect(outcome(yield* on(a))).toBe(-32029)
          expect(outcome(yield* on(b))).toBe("ok")
        })
      ).pipe(quiet)
    )
  })
})
