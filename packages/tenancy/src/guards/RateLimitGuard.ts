/**
 * The rate-limit guard (`limit` phase): the tool's own rate first (for tools that have one), then the tenant's rate over every
 * request. A refusal is `limitExceeded` with the limit's name and when to retry (HTTP: 429 + Retry-After).
 * A failing limiter store (Redis down) lets the request through: it is logged and counted, never silent.
 *
 * @since 0.1.0
 */
import { limitExceeded, type McpResult, type PipelineError, Stage, Target } from "@bulwark/core"
import { Clock, Context, Effect } from "effect"
import { RateLimiter } from "effect/persistence"
import { checkWithTenant } from "../CurrentTenant.ts"
import * as RateLimits from "../RateLimits.ts"
import * as TenancyMetrics from "../TenancyMetrics.ts"
import { lookup, type Rate } from "../TenantConfig.ts"
import * as TokenBuckets from "../TokenBuckets.ts"

/** The stage's name, as refusals and the audit log name it. */
export const name = "rate-limit"

interface Check {
  readonly limit: string
  readonly kind: "tool" | "tenant"
  readonly key: string
  readonly rate: Rate
}

/**
 * Builds the rate-limit guard: over the buckets of this process when `TokenBuckets` is in context
 * (`RateLimits.layerMemory`), else over the `RateLimiter` in context (Redis).
 */
export const make: Effect.Effect<Stage.Stage, never, RateLimiter.RateLimiter> = Effect.gen(function* () {
  const limiter = yield* RateLimiter.RateLimiter
  const local = yield* Effect.serviceOption(TokenBuckets.TokenBuckets)
  return Stage.guard(
    name,
    "limit",
    checkWithTenant(name, (call, { tenant, config }, context) => {
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
      if (checks.length === 0) return undefined
      const labelsOf = (check: Check) => ({
        tenant_id: tenant.id,
        method: call.request.method,
        tool_name: Target.toolLabelOf(call.target),
        limit: check.kind
      })
      // Buckets in this process: each check at once.
      if (local._tag === "Some") {
        const now = Context.get(context, Clock.Clock).currentTimeMillisUnsafe()
        for (const check of checks) {
          const retryAfterMs = RateLimits.takeAt(local.value, check.key, check.rate, now)
          if (retryAfterMs > 0) {
            TenancyMetrics.countIn(context, TenancyMetrics.rateLimitRejected, labelsOf(check))
            return limitExceeded(name, { limit: check.limit, retryAfterMs })
          }
          TenancyMetrics.countIn(context, TenancyMetrics.rateLimitAllowed, labelsOf(check))
        }
        return undefined
      }
      // A shared store: each check in turn, waiting for its answer, then the rest of the chain.
      const from = (
        i: number,
        rest: Effect.Effect<McpResult, PipelineError>
      ): Effect.Effect<McpResult, PipelineError> => {
        const check = checks[i]
        if (check === undefined) return rest
        const labels = labelsOf(check)
        return Effect.flatMap(RateLimits.take(limiter, check.key, check.rate), (decision) => {
          switch (decision._tag) {
            case "Allowed":
              return Effect.andThen(TenancyMetrics.count(TenancyMetrics.rateLimitAllowed, labels), from(i + 1, rest))
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
                Effect.andThen(from(i + 1, rest))
              )
          }
        })
      }
      return Stage.around((rest) => from(0, rest))
    }),
    { order: 0 }
  )
})
