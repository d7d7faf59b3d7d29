import { RequestMetrics } from "@bulwark/observability"
import { Effect } from "effect"
import { outcomeOf } from "../outcome.ts"
import * as Stage from "../Stage.ts"

/** Counts requests by tenant, tool and outcome, times them, and tracks how many are in flight. */
export const metrics = Stage.make(
  "metrics",
  (next) => (call) =>
    RequestMetrics.trackInFlight(next(call)).pipe(
      Effect.onExit((exit) =>
        RequestMetrics.recordRequest({
          tenantId: call.tenantId,
          toolName: call.label ?? call.request.method,
          status: outcomeOf(exit),
          durationSeconds: (performance.now() - call.startedAt) / 1000
        })
      )
    )
)
