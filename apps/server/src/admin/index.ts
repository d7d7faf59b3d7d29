/**
 * The operator's admin API: tenants, API keys and HMAC credentials, kill switches and the audit log over HTTP, on a
 * listener of its own with its own bearer token. Routes and CLI: `README.md` in this folder.
 *
 * @since 0.1.0
 */

/** The admin API's typed failures. */
export {
  AdminConfigError,
  AdminConflict,
  type AdminError,
  type AdminIssue,
  AdminNotFound,
  AdminRequestInvalid,
  AdminUnavailable
} from "./AdminErrors.ts"
/** `AdminRoutes.layer(token)`: the routes alone, to mount on a router of your own. */
export * as AdminRoutes from "./AdminRoutes.ts"
/** `AdminServer.layer(config)`: the admin listener, off unless `admin.enabled`. */
export * as AdminServer from "./AdminServer.ts"
