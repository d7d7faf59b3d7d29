/**
 * The concurrency guard (`limit` phase): each request of a tenant holds one of its permits while it runs, and gives
 * it back however it ends (a result, a failure, a cancellation). With none free the request is refused at once, or
 * after the tenant's short `maxWait`, with `limitExceeded({ limit: "concurrency" })`.
 *
 * @since 0.1.0
 */
import { limitExceeded, Stage } from "@bulwark/core"
import { Duration, Effect } from "effect"
import { checkWithTenant } from "../CurrentTenant.ts"
import * as TenancyMetrics from "../TenancyMetrics.ts"

/** The stage's name, as refusals and the audit log name it. */
export const name = "concurrency"

/** What a refused request is told: retry in about a second. */
export const retryAfterMs = 1000

/** The concurrency guard. */
export const guard: Stage.Stage = Stage.guard(
  name,
  "limit",
  checkWithTenant(name, (_call, { tenant, config }, context) => {
    const concurrency = config.limits.concurrency
    if (concurrency === undefined) return undefined
    const permits = tenant.permits
    // A free permit is taken at once, and given back at the end however the request ends.
    if (permits.tryTake()) return Stage.admitted({ end: permits.releaseAtEnd })
    const refused = () => limitExceeded(name, { limit: "concurrency", retryAfterMs })
    if (Duration.toMillis(concurrency.maxWait) <= 0) {
      TenancyMetrics.countIn(context, TenancyMetrics.concurrencyRejected, { tenant_id: tenant.id })
      return refused()
    }
    // Else wait for one, up to maxWait.
    return Stage.around((rest) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(restore(permits.take(concurrency.maxWait)), (taken) =>
          taken
            ? Effect.ensuring(restore(rest), permits.giveBack)
            : Effect.andThen(
                TenancyMetrics.count(TenancyMetrics.concurrencyRejected, { tenant_id: tenant.id }),
                Effect.fail(refused())
              )
        )
      )
    )
  })
)
