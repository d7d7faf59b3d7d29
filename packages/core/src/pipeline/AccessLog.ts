/**
 * The access log: the one log line each request leaves (`request`, with its outcome, duration, tenant, target,
 * request id and trace id; the pipeline's logging stage writes it, the HTTP edge writes the line of an exchange that
 * never reached the pipeline). A busy server can keep fewer: `failures` keeps only requests that did not succeed,
 * `none` keeps none, and `sampleRate` keeps that share of the successful ones. A failure is always logged unless the
 * access log is off; warnings and errors the server logs about itself are not access-log lines and are never
 * dropped. Metrics, traces and the audit log see every request whatever this says.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { withDefault } from "../schema/WithDefault.ts"
import type { Outcome } from "./Outcome.ts"

/** Which requests get an access-log line. */
export const AccessLogConfig = Schema.Struct({
  /** `all` (default), `failures` (requests that did not succeed), or `none`. */
  mode: withDefault(Schema.Literals(["all", "failures", "none"]), "all"),
  /** The share of successful requests logged in mode `all`, from 0 to 1. */
  sampleRate: withDefault(Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1 })), 1)
})
export type AccessLogConfig = typeof AccessLogConfig.Type

/** Every request logged. */
export const everything: AccessLogConfig = { mode: "all", sampleRate: 1 }

const succeeded: ReadonlySet<Outcome> = new Set<Outcome>(["success", "input_required"])

/** Whether a request that ended with `outcome` gets its line. */
export const logs = (config: AccessLogConfig, outcome: Outcome): boolean => {
  if (config.mode === "none") return false
  if (!succeeded.has(outcome)) return true
  if (config.mode === "failures") return false
  return config.sampleRate >= 1 || Math.random() < config.sampleRate
}
