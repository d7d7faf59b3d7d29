/**
 * Who is calling. A principal is established by the transport (authentication at the HTTP edge, configuration on
 * stdio), never taken from request arguments; every request of the pipeline runs for exactly one principal of one
 * tenant.
 */

/** How a principal proved who it is. */
export type AuthenticationMethod = "api-key" | "hmac" | "oauth" | "stdio" | "in-process" | "anonymous"

/** Who is calling. */
export interface Principal {
  readonly tenantId: string
  /** The key id, the token's subject, or the configured stdio identity. */
  readonly subject: string
  /** OAuth-style scopes granted to this principal. */
  readonly scopes: ReadonlyArray<string>
  readonly method: AuthenticationMethod
}
