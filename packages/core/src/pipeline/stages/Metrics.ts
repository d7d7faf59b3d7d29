/**
 * Request metrics (`observe` phase): requests by tenant, catalog item and outcome, their duration, and how many are
 * in flight. The `tool_name` label is the catalog's name of what the request is about (bounded: names clients send
 * for things that do not exist are not used), else the method.
 */
import { RequestMetrics } from "@bulwark/observability"
import { outcomeOf } from "../Outcome.ts"
import * as Stage from "../Stage.ts"
import { catalogKeyOf } from "../Target.ts"

/** The metrics stage. */
export const metrics = Stage.make(
  "metrics",
  "observe",
  (next) => (call) =>
    RequestMetrics.track(next(call), (exit) => ({
      tenantId: call.tenantId,
      toolName: catalogKeyOf(call.target) ?? call.request.method,
      status: outcomeOf(exit),
      durationSeconds: (performance.now() - call.startedAt) / 1000
    }))
)
