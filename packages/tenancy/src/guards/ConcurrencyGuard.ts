/**
 * The concurrency guard (`limit` phase): each request of a tenant holds one of its permits while it runs, and gives
 * it back however it ends (a result, a failure, a cancellation). With none free the request is refused at once, or
 * after the tenant's short `maxWait`, with `limitExceeded({ limit: "concurrency" })`.
 *
 * @since 0.1.0
 */
import { limitExceeded, Stage } from "@bulwark/core"
import { Duration, Effect, Option } from "effect"
import { withTenant } from "../CurrentTenant.ts"
import * as TenancyMetrics from "../TenancyMetrics.ts"

/** The stage's name, as refusals and the audit log name it. */
export const name = "concurrency"

/** What a refused request is told: retry in about a second. */
export const retryAfterMs = 1000

/** The concurrency guard. */
export const guard: Stage.Stage = Stage.make(
  name,
  "limit",
  (next) => (call) =>
    withTenant(name, ({ tenant, config }) => {
      const concurrency = config.limits.concurrency
      if (concurrency === undefined) return next(call)
      // Made only when a request is refused (an error is costly to make).
      const refuse = Effect.suspend(() =>
        TenancyMetrics.count(TenancyMetrics.concurrencyRejected, { tenant_id: tenant.id }).pipe(
          Effect.andThen(Effect.fail(limitExceeded(name, { limit: "concurrency", retryAfterMs })))
        )
      )
      const permits = tenant.permits
      if (Duration.toMillis(concurrency.maxWait) <= 0) {
        return Effect.flatMap(permits.withPermitsIfAvailable(1)(next(call)), (result) =>
          Option.isSome(result) ? Effect.succeed(result.value) : refuse
        )
      }
      return Effect.uninterruptibleMask((restore) =>
        restore(Effect.timeoutOption(permits.take(1), concurrency.maxWait)).pipe(
          Effect.flatMap(
            Option.match({
              onNone: () => refuse,
              onSome: () => restore(next(call)).pipe(Effect.ensuring(permits.release(1)))
            })
          )
        )
      )
    })
)
