/**
 * The typed failures of tenancy.
 *
 * @since 0.1.0
 */
import { Data } from "effect"

/** No tenant with this id is configured. */
export class TenantNotFound extends Data.TaggedError("TenantNotFound")<{ readonly tenantId: string }> {
  override get message() {
    return `No tenant "${this.tenantId}" is configured`
  }
}

/** A configuration handed to the directory is not acceptable as a whole (e.g. two tenants with one id). */
export class TenantConfigInvalid extends Data.TaggedError("TenantConfigInvalid")<{
  readonly tenantId: string
  readonly message: string
}> {}

/** The tenancy tables could not be read or written. */
export class TenancyStoreError extends Data.TaggedError("TenancyStoreError")<{
  readonly operation: string
  readonly cause: unknown
}> {
  override get message() {
    const detail = this.cause instanceof Error ? this.cause.message : String(this.cause)
    return `Tenancy store failed to ${this.operation}: ${detail}`
  }
}
