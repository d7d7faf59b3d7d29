/** `isoTime` writes exactly what `toISOString` writes, from the cache and without it. */
import { isoTime } from "@bulwark/observability"
import { describe, expect, it } from "@effect/vitest"

describe("isoTime", () => {
  it("is toISOString, within a second, across seconds and outside the four-digit years", () => {
    const now = Date.now()
    const moments = [
      now,
      now + 1,
      now + 999,
      now + 1000,
      now - 86_400_000,
      0,
      5,
      99,
      Date.UTC(2026, 11, 31, 23, 59, 59, 999),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(10000, 0, 1),
      -1,
      -62198755200000
    ]
    for (const millis of moments) expect(isoTime(millis)).toBe(new Date(millis).toISOString())
  })
})
