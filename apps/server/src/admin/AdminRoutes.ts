/**
 * Every admin route, behind the admin token, as one layer for an `HttpRouter`. Unknown paths answer 401 without the
 * token and 404 with it, so that nothing about the API is learned without the credential.
 *
 * @since 0.1.0
 */
import { AuditLog } from "@bulwark/audit"
import { Effect, Layer, type Redacted } from "effect"
import { HttpRouter } from "effect/http"
import { AdminNotFound } from "./AdminErrors.ts"
import { type AdminEnv, handler } from "./AdminHandler.ts"
import { makeCheck } from "./AdminToken.ts"
import * as AuditRoutes from "./routes/AuditRoutes.ts"
import * as BackendRoutes from "./routes/BackendRoutes.ts"
import * as CacheRoutes from "./routes/CacheRoutes.ts"
import * as CredentialRoutes from "./routes/CredentialRoutes.ts"
import * as SwitchRoutes from "./routes/SwitchRoutes.ts"
import * as TenantRoutes from "./routes/TenantRoutes.ts"

/** Any other path or method. */
const fallback = (env: AdminEnv) =>
  HttpRouter.add(
    "*",
    "*",
    handler(env, undefined, () => Effect.fail(new AdminNotFound({ message: "No such admin route" })))
  )

/**
 * The admin routes for `token`. Needs the audit log, the tenant directory and kill switches (tenancy), `ApiKeys`
 * and `HmacCredentials` (identity), the backends' guards (resilience) and the app's `SqlClient`.
 */
export const layer = (token: Redacted.Redacted<string>) =>
  Layer.unwrap(
    Effect.map(AuditLog, (audit) => {
      const env: AdminEnv = { check: makeCheck(token), audit }
      return Layer.mergeAll(
        TenantRoutes.layer(env),
        CredentialRoutes.apiKeys(env),
        CredentialRoutes.hmac(env),
        SwitchRoutes.layer(env),
        AuditRoutes.layer(env),
        BackendRoutes.layer(env),
        CacheRoutes.layer(env),
        fallback(env)
      )
    })
  )
