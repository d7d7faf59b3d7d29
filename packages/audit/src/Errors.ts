/**
 * The typed failures of `@bulwark/audit`.
 *
 * @since 0.1.0
 */
import { Data } from "effect"

/** An admin query with a bad filter, limit or cursor; the message names which and what is allowed. */
export class AuditQueryInvalid extends Data.TaggedError("AuditQueryInvalid")<{
  readonly message: string
}> {}
