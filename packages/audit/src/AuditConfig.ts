/**
 * Settings of the audit log, as an Effect Schema the app decodes from its config file. Every key is optional.
 *
 * @since 0.1.0
 */
import { withDefault } from "@bulwark/core"
import { Schema } from "effect"

const PositiveInt = Schema.Int.check(Schema.isGreaterThan(0))

/** The largest batch: 17 parameters a row stay well under PostgreSQL's 65,535 parameters a statement. */
export const maxBatchSize = 2000

const duration = (text: string) => withDefault(Schema.DurationFromString, text)

/**
 * `capacity`: records held in memory until written (when full, `record` waits: back-pressure, never a drop).
 * `batchSize` / `flushInterval`: a batch is written when it is full or this long after its first record.
 * `retryBaseDelay` / `retryMaxDelay`: backoff while the database fails (doubling, jittered, capped; never gives up).
 * `writeTimeout`: one batch write attempt longer than this counts as failed. `shutdownTimeout`: how long release
 * waits for the backlog to be written. `maxArgumentBytes`: larger arguments are stored as `{ _truncated, bytes }`.
 */
export const AuditConfig = Schema.Struct({
  capacity: withDefault(PositiveInt, 10_000),
  batchSize: withDefault(PositiveInt.check(Schema.isLessThanOrEqualTo(maxBatchSize)), 500),
  flushInterval: duration("100 millis"),
  retryBaseDelay: duration("100 millis"),
  retryMaxDelay: duration("30 seconds"),
  writeTimeout: duration("10 seconds"),
  shutdownTimeout: duration("30 seconds"),
  maxArgumentBytes: withDefault(PositiveInt, 65_536)
})

/** The decoded audit settings. */
export type AuditConfig = typeof AuditConfig.Type

/** The defaults (what an empty config section decodes to). */
export const defaultAuditConfig: AuditConfig = Schema.decodeUnknownSync(AuditConfig)({})
