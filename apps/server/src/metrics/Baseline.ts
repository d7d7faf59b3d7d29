/**
 * The series `/metrics` shows from the first scrape: `bulwark_build_info` for this version, and the unlabelled
 * counters at zero. A counter Effect has not updated yet is absent from the exposition; absent, a `rate()` over it
 * is empty rather than 0, and an alert on 401 spikes or shed requests could not tell "none" from "not exported".
 */
import { AuditMetrics } from "@bulwark/audit"
import { CacheMetrics } from "@bulwark/cache"
import { Admission } from "@bulwark/core"
import { FailedLogins } from "@bulwark/identity"
import { ProcessMetrics } from "@bulwark/observability"
import { Effect, Metric } from "effect"

/** Records the baseline series for `version`. */
export const baseline = (version: string): Effect.Effect<void> =>
  Effect.all(
    [
      ProcessMetrics.recordBuildInfo(version),
      Metric.update(FailedLogins.failures, 0),
      Metric.update(FailedLogins.throttled, 0),
      Metric.update(Admission.shed, 0),
      Metric.update(AuditMetrics.recordsWritten, 0),
      Metric.update(AuditMetrics.writeFailures, 0),
      Metric.update(CacheMetrics.evictions, 0)
    ],
    { discard: true }
  )
