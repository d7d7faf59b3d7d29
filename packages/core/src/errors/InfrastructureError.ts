import type { DomainError } from "./ToolError.ts"

/**
 * Tags of errors that come from infrastructure (a database driver, an HTTP client, the platform), not from a
 * plugin's domain. Their messages can carry internals (SQL, hosts, paths), so a handler that lets one through gets an
 * internal error with a request id instead of a tool error carrying the raw message; the full cause is logged.
 */
const INFRASTRUCTURE_TAGS: ReadonlySet<string> = new Set([
  "SqlError",
  "ResultLengthMismatch",
  "HttpClientError",
  "RequestError",
  "ResponseError",
  "PlatformError",
  "SystemError",
  "BadArgument",
  "SocketError",
  "RedisError",
  "PersistenceError",
  "TimeoutError"
])

/** Whether a handler's failure is infrastructure leaking through rather than a domain error meant for the agent. */
export const isInfrastructureError = (error: DomainError): boolean => INFRASTRUCTURE_TAGS.has(error._tag)
