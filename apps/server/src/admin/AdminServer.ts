/**
 * The operator's admin API on its own listener (`admin.host:admin.port`, 127.0.0.1:3001 by default), separate from
 * `/mcp`, with its own credential (`BULWARK_ADMIN_TOKEN`), and off unless `admin.enabled`.
 *
 * @since 0.1.0
 */

import { createServer } from "node:http"
import type { AuditLog } from "@bulwark/audit"
import type { ToolCache } from "@bulwark/cache"
import type { Catalog } from "@bulwark/core"
import type { MigrationError, MigrationRegistry } from "@bulwark/database"
import { ApiKeys, HmacCredentials } from "@bulwark/identity"
import type { Backends } from "@bulwark/resilience"
import type { Switches, TenantDirectory } from "@bulwark/tenancy"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Effect, Layer } from "effect"
import { HttpRouter, HttpServer, type HttpServerError } from "effect/http"
import type { SqlClient } from "effect/sql/SqlClient"
import type { ServerConfig } from "../config/ServerConfig.ts"
import { AdminConfigError } from "./AdminErrors.ts"
import * as AdminRoutes from "./AdminRoutes.ts"

/** What the admin listener needs from the server it runs in: the same instances the MCP side uses. */
export type AdminRequirements =
  | AuditLog
  | TenantDirectory.TenantDirectory
  | Switches.Switches
  | SqlClient
  | MigrationRegistry
  | Catalog.Catalog
  | Backends
  | ToolCache

/** Why the admin listener could not start. */
export type AdminStartError = AdminConfigError | HttpServerError.ServeError | MigrationError

const loopback = new Set(["127.0.0.1", "::1", "localhost"])

/**
 * The admin listener for `config.admin`: nothing when disabled; a failure naming `BULWARK_ADMIN_TOKEN` when enabled
 * without a token. Provide the server's `AuditLog`, tenancy and database (the instances `/mcp` uses, so that a kill
 * switch set here is enforced there at once). `ApiKeys` and `HmacCredentials` are built here over that database.
 *
 * The socket is provided to the router before the dependencies, so it opens only once they are built and the routes
 * are registered: no connection is accepted before the router can answer it.
 */
export const layer = (
  config: Pick<ServerConfig, "admin" | "identity" | "http">
): Layer.Layer<never, AdminStartError, AdminRequirements> => {
  const admin = config.admin
  if (!admin.enabled) return Layer.empty
  if (admin.token === undefined) {
    return Layer.effectDiscard(
      Effect.fail(
        new AdminConfigError({
          message:
            "admin.enabled is true but no admin token is set: set BULWARK_ADMIN_TOKEN (at least 32 characters, e.g. `openssl rand -base64 32`)."
        })
      )
    )
  }
  const announce = Layer.effectDiscard(
    HttpServer.addressFormattedWith((address) =>
      loopback.has(admin.host)
        ? Effect.logInfo(`Bulwark admin API listening on ${address}`)
        : Effect.logWarning(
            `Bulwark admin API listening on ${address}, beyond loopback over plain HTTP: the admin token crosses the network in clear unless TLS terminates in front`
          )
    )
  )
  const identity = Layer.mergeAll(ApiKeys.layer, HmacCredentials.layer({ masterKey: config.identity.hmac.masterKey }))
  return HttpRouter.serve(AdminRoutes.layer(admin.token), { disableListenLog: true }).pipe(
    Layer.merge(announce),
    Layer.provide(
      NodeHttpServer.layer(createServer, {
        port: admin.port,
        host: admin.host,
        gracefulShutdownTimeout: config.http.shutdownGrace
      })
    ),
    Layer.provide(identity)
  )
}
