// #region readme
import { Backend } from "@bulwark/core"
import { Data } from "effect"

class PricesUnavailable extends Data.TaggedError("PricesUnavailable")<{ readonly status: number }> {}

export const prices = Backend.declare("prices-api", {
  timeout: "2 seconds",
  retry: { retries: 2, budget: 0.2 },
  breaker: { consecutiveFailures: 5, failureRate: { threshold: 0.5, window: 20 }, openFor: "10 seconds" },
  bulkhead: { maxConcurrent: 8, perTenant: 4 },
  transient: (error) => error instanceof PricesUnavailable
})

// #endregion readme

import { describe, expect, it } from "vitest"

describe("the root README's backend declaration", () => {
  it("resolves to the policy it says, with defaults for the rest", () => {
    const policy = Backend.resolve(prices.policy)
    expect(policy).toMatchObject({
      timeoutMs: 2000,
      retries: 2,
      budget: 0.2,
      consecutiveFailures: 5,
      failureRate: { threshold: 0.5, window: 20, minimumCalls: 20 },
      openForMs: 10_000,
      maxConcurrent: 8,
      maxQueued: 8,
      perTenant: 4
    })
    expect(policy.transient(new PricesUnavailable({ status: 502 }))).toBe(true)
    expect(policy.transient(new Error("a bug"))).toBe(false)
  })
})
