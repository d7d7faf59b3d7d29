/**
 * The settings of the job system (`jobs` in the bundled server's configuration).
 *
 * @since 0.1.0
 */
import { withDefault } from "@bulwark/core"
import { Schema } from "effect"

/** The settings. */
export const JobsConfig = Schema.Struct({
  /** How many jobs this instance runs at once. */
  workers: withDefault(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)), 4),
  /** How many jobs of one tenant run at once, across every instance. */
  perTenant: withDefault(Schema.Int.check(Schema.isGreaterThan(0)), 4),
  /** How long a job and its result are kept (from its creation, and at least this long after it ends). */
  keep: withDefault(Schema.DurationFromString, "1 day"),
  /**
   * How long a running job's claim lasts without a sign of life from its worker: after that another instance runs it
   * again (the worker's process died or lost its database). Whole seconds.
   */
  lease: withDefault(Schema.DurationFromString, "30 seconds"),
  /** How often a running job's worker renews its claim and looks for a cancellation from another instance. */
  checkInterval: withDefault(Schema.DurationFromString, "500 millis"),
  /** How often idle workers look for jobs submitted on other instances (this instance's own are taken at once). */
  pollInterval: withDefault(Schema.DurationFromString, "500 millis"),
  /** How long clients are told to wait between polls. */
  clientPollInterval: withDefault(Schema.DurationFromString, "1 second")
})

/** The decoded settings. */
export type JobsConfig = typeof JobsConfig.Type
