/**
 * The rate-limit guard (`limit` phase): the tool's own rate first (for tools that have one), then the tenant's rate over every
 * request. A refusal is `limitExceeded` with the limit's name and when to retry (HTTP: 429 + Retry-After).
 * A failing limiter store (Redis down) lets the request through: it is logged and counted, never silent.
 *
 * @since 0.1.0
 */
import { type Call, limitExceeded, type McpResult, type PipelineError, Stage, Target } from "@bulwark/core"
import { Clock, Context, Effect, type Metric } from "effect"
import { RateLimiter } from "effect/persistence"
import { checkWithTenant } from "../CurrentTenant.ts"
import * as RateLimits from "../RateLimits.ts"
import * as TenancyMetrics from "../TenancyMetrics.ts"
import type { Tenant } from "../Tenant.ts"
import { lookup, type Rate, type TenantConfig } from "../TenantConfig.ts"
import * as TokenBuckets from "../TokenBuckets.ts"
import * as Derived from "./Derived.ts"

/** The stage's name, as refusals and the audit log name it. */
export const name = "rate-limit"

/** A rate the guard checks a request against, with its counters' series for the request's labels. */
interface Check {
  readonly limit: string
  readonly key: string
  readonly rate: Rate
  readonly labels: Readonly<Record<string, string>>
  readonly allowed: Metric.Metric<number, Metric.CounterState<number>>
  readonly rejected: Metric.Metric<number, Metric.CounterState<number>>
}

/** The checks for a request of `tenant` under `config`: the tool's own rate, then the tenant's. */
const checksOf = (tenant: Tenant, config: TenantConfig, call: Call): ReadonlyArray<Check> => {
  const checks: Array<Check> = []
  const method = call.request.method
  const tool = call.target._tag === "ToolCall" ? call.target.name : undefined
  const toolRate = tool === undefined ? undefined : lookup(config.limits.toolRates, tool)
  const check = (limit: string, kind: "tool" | "tenant", key: string, rate: Rate): Check => {
    const labels = { tenant_id: tenant.id, method, tool_name: Target.toolLabelOf(call.target), limit: kind }
    return {
      limit,
      key,
      rate,
      labels,
      allowed: TenancyMetrics.labelledOf(TenancyMetrics.rateLimitAllowed, labels),
      rejected: TenancyMetrics.labelledOf(TenancyMetrics.rateLimitRejected, labels)
    }
  }
  if (tool !== undefined && toolRate !== undefined) {
    checks.push(check(`tool rate: ${tool}`, "tool", tenant.limiterKey(`tool/${tool}`), toolRate))
  }
  if (config.limits.rate !== undefined) {
    checks.push(check("tenant rate", "tenant", tenant.limiterKey("rate"), config.limits.rate))
  }
  return checks
}

/**
 * Builds the rate-limit guard: over the buckets of this process when `TokenBuckets` is in context
 * (`RateLimits.layerMemory`), else over the `RateLimiter` in context (Redis).
 */
export const make: Effect.Effect<Stage.Stage, never, RateLimiter.RateLimiter> = Effect.gen(function* () {
  const limiter = yield* RateLimiter.RateLimiter
  const local = yield* Effect.serviceOption(TokenBuckets.TokenBuckets)
  // Kept per method and tool for tools the catalog has (or none); names of tools it does not have are the client's
  // to choose, so their checks are made per request and never kept.
  const planned = Derived.make(checksOf)
  return Stage.guard(
    name,
    "limit",
    checkWithTenant(name, (call, { tenant, config }, context) => {
      const target = call.target
      const checks =
        target._tag !== "ToolCall"
          ? planned(tenant, config, call.request.method, "", call)
          : target.tool === undefined
            ? checksOf(tenant, config, call)
            : planned(tenant, config, call.request.method, target.name, call)
      if (checks.length === 0) return undefined
      // Buckets in this process: each check at once.
      if (local._tag === "Some") {
        const now = Context.get(context, Clock.Clock).currentTimeMillisUnsafe()
        for (const check of checks) {
          const retryAfterMs = RateLimits.takeAt(local.value, check.key, check.rate, now)
          if (retryAfterMs > 0) {
            check.rejected.updateUnsafe(1, context)
            return limitExceeded(name, { limit: check.limit, retryAfterMs })
          }
          check.allowed.updateUnsafe(1, context)
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
        const labels = check.labels
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
