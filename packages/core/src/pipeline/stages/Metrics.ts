/**
 * Request metrics (`observe` phase): requests by tenant, method, tool and outcome, their duration, and how many are
 * in flight. The `tool_name` label is the catalog's name of the tool a `tools/call` is for (bounded: names clients
 * send for tools that do not exist are not used), else empty; `tenant_id` reaches as far as `tenantLabel` says.
 */
import { RequestMetrics } from "@bulwark/observability"
import { outcomeOf } from "../Outcome.ts"
import * as Stage from "../Stage.ts"
import { toolLabelOf } from "../Target.ts"

/** The metrics stage: an observer (counted in flight from its start to its end). */
export const metrics = (tenantLabel?: RequestMetrics.TenantLabel) => {
  const record = RequestMetrics.recorder(tenantLabel)
  return Stage.observer("metrics", "observe", (call, fiber) => {
    const finish = RequestMetrics.start(fiber.context, record)
    return (exit, ending) => {
      finish(
        {
          tenantId: call.tenantId,
          method: call.request.method,
          toolName: toolLabelOf(call.target),
          status: outcomeOf(exit),
          durationSeconds: (performance.now() - call.startedAt) / 1000
        },
        ending.context
      )
      return undefined
    }
  })
}
