/**
 * The admin API's typed failures. Each one becomes one HTTP status with a small JSON body; none carries a secret, a
 * stack trace or a raw database message.
 *
 * @since 0.1.0
 */
import { Data } from "effect"

/** One problem with a request's input: the field (a dotted path, empty for the whole body) and what was expected. */
export interface AdminIssue {
  readonly path: string
  readonly message: string
}

/** 400: the body, path or query does not fit; `issues` name each field and what was expected. */
export class AdminRequestInvalid extends Data.TaggedError("AdminRequestInvalid")<{
  readonly message: string
  readonly issues: ReadonlyArray<AdminIssue>
}> {}

/** 404: no such tenant, key or credential. */
export class AdminNotFound extends Data.TaggedError("AdminNotFound")<{
  readonly message: string
}> {}

/** 409: the request is well-formed but cannot be done in the server's current state (e.g. HMAC is not set up). */
export class AdminConflict extends Data.TaggedError("AdminConflict")<{
  readonly message: string
}> {}

/** 503: a store (PostgreSQL) failed. `operation` says what was attempted; the cause is logged, never answered. */
export class AdminUnavailable extends Data.TaggedError("AdminUnavailable")<{
  readonly operation: string
  readonly cause: unknown
}> {
  override get message() {
    return `The admin API could not ${this.operation}; the store is unavailable, try again`
  }
}

/** Every failure a route handler may end with. */
export type AdminError = AdminRequestInvalid | AdminNotFound | AdminConflict | AdminUnavailable

/** The admin listener cannot start as configured (enabled without a token). */
export class AdminConfigError extends Data.TaggedError("AdminConfigError")<{
  readonly message: string
}> {}
