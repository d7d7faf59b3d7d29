/**
 * The rate-limit guard (`limit` phase): the tool's own rate first (for tools that have one), then the tenant's rate over every
 * request. A refusal is `limitExceeded` with the limit's name and when to retry (HTTP: 429 + Retry-After).
 * A failing limiter store (Redis down) lets the request through: it is logged and counted, never silent.
 *
 * @since 0.1.0
 */
import { limitExceeded, Stage, Target } from "@bulwark/core"
import { Effect } from "effect"
import { RateLimiter } from "effect/persistence"
import { withTenant } from "../CurrentTenant.ts"
import * as RateLimits from "../RateLimits.ts"
import * as TenancyMetrics from "../TenancyMetrics.ts"
import { lookup, type Rate } from "../TenantConfig.ts"

/** The stage's name, as refusals and the audit log name it. */
export const name = "rate-limit"

interface Check {
  readonly limit: string
  readonly kind: "tool" | "tenant"
  readonly key: string
  readonly rate: Rate
}

/** Builds the rate-limit guard over the `RateLimiter` in context (memory or Redis store). */
export const make: Effect.Effect<Stage.Stage, never, RateLimiter.RateLimiter> = Effect.gen(function* () {
  const limiter = yield* RateLimiter.RateLimiter
  return Stage.make(
    name,
    "limit",
    (next) => (call) =>
      withTenant(name, ({ tenant, config }) => {
        const checks: Array<Check> = []
        const tool = call.target._tag === "ToolCall" ? call.target.name : undefined
        const toolRate = tool === undefined ? undefined : lookup(config.limits.toolRates, tool)
        if (tool !== undefined && toolRate !== undefined) {
          checks.push({
            limit: `tool rate: ${tool}`,
            kind: "tool",
            key: tenant.limiterKey(`tool/${tool}`),
            rate: toolRate
          })
        }
        if (config.limits.rate !== undefined) {
          checks.push({
            limit: "tenant rate",
            kind: "tenant",
            key: tenant.limiterKey("rate"),
            rate: config.limits.rate
          })
        }
        // Each check in turn, then the rest of the chain.
        const from = (i: number): ReturnType<typeof next> => {
          const check = checks[i]
          if (check === undefined) return next(call)
          const labels = {
            tenant_id: tenant.id,
            method: call.request.method,
            tool_name: Target.toolLabelOf(call.target),
            limit: check.kind
          }
          return Effect.flatMap(RateLimits.take(limiter, check.key, check.rate), (decision) => {
            switch (decision._tag) {
              case "Allowed":
                return Effect.andThen(TenancyMetrics.count(TenancyMetrics.rateLimitAllowed, labels), from(i + 1))
              case "Exceeded":
                return Effect.andThen(
                  TenancyMetrics.count(TenancyMetrics.rateLimitRejected, labels),
                  Effect.fail(limitExceeded(name, { limit: check.limit, retryAfterMs: decision.retryAfterMs }))
                )
              case "StoreFailed":
                return TenancyMetrics.count(TenancyMetrics.rateLimiterErrors, { tenant_id: tenant.id }).pipe(
                  Effect.andThen(
                    Effect.logWarning(
                      `rate limiter unavailable; letting a request of "${tenant.id}" through`,
                      decision.error
                    )
                  ),
                  Effect.andThen(from(i + 1))
                )
            }
          })
        }
        return from(0)
      }),
    { order: 0 }
  )
})
