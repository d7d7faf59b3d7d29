import { createServer } from "node:http"
import { AuditLog, AuditStage } from "@bulwark/audit"
import { Catalog, Pipeline } from "@bulwark/core"
import { Database, MigrationRegistry } from "@bulwark/database"
import { Authenticator, ProtectedResource } from "@bulwark/identity"
import { ClientSinks, Endpoint, McpHttp, Stdio } from "@bulwark/mcp"
import { JsonLogs, Tracing } from "@bulwark/observability"
import { ChangeFeed, Guards, ListChanges, RateLimits, Tenancy } from "@bulwark/tenancy"
import { NodeHttpServer, NodeRedis } from "@effect/platform-node"
import { Duration, Effect, Layer, Option } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import { AdminServer } from "../admin/index.ts"
import type { ConfigSources } from "../config/loadConfig.ts"
import type { ServerConfig } from "../config/ServerConfig.ts"
import * as HealthRoutes from "../health/HealthRoutes.ts"
import * as MetricsRoute from "../metrics/MetricsRoute.ts"
import { auditedEdge } from "./auditedEdge.ts"
import { bootstrapKey } from "./bootstrap.ts"
import { configReload } from "./configReload.ts"
import { databaseConfig } from "./databaseConfig.ts"
import { enabledPlugins } from "./plugins.ts"
import { syncTenants } from "./tenants.ts"

/** How this process runs: an HTTP server, or one stdio connection. */
export interface RunOptions {
  readonly inMemory?: boolean
  /** Where the configuration came from, to re-read tenants on SIGHUP or when the file changes. */
  readonly configSources?: ConfigSources
}

/** Hot reload of tenants when the configuration's sources are known. */
const reloading = (options: RunOptions) =>
  options.configSources === undefined ? Layer.empty : configReload(options.configSources)

const identity = (config: ServerConfig) => ({
  name: config.name,
  version: "0.1.0",
  instructions: "Bulwark serves company tools to agents with authentication, limits and audit.",
  listTtlMs: 30_000
})

/** Rate limits shared through Redis when `REDIS_URL` is set, in-process otherwise. */
const rateLimiter = (config: ServerConfig) =>
  config.redisUrl === undefined
    ? RateLimits.layerMemory
    : RateLimits.layerRedis().pipe(Layer.provide(NodeRedis.layer({ url: config.redisUrl })))

/** Every stage of the request pipeline: the audit log and the tenancy guards in their slots. */
const pipeline = (config: ServerConfig) =>
  Pipeline.layerWith(
    Effect.gen(function* () {
      const audit = yield* AuditStage.make
      const guards = yield* Guards.make()
      return { timeout: config.timeouts, guards: { audit, ...guards } }
    })
  )

/**
 * The pipeline over the enabled plugins and everything it stands on: tenants, limits, the audit log, the database,
 * and the change-event sinks. Shared by HTTP and stdio.
 */
export const core = (config: ServerConfig, options: RunOptions = {}) => {
  const database = databaseConfig(config, options)
  return Layer.mergeAll(pipeline(config), ListChanges.layer, Layer.effectDiscard(syncTenants(config))).pipe(
    Layer.provideMerge(ClientSinks.layer),
    Layer.provideMerge(Catalog.layerInstalled(enabledPlugins(config))),
    Layer.provideMerge(AuditLog.layer(config.audit)),
    Layer.provideMerge(
      Tenancy.layer({
        propagation: ChangeFeed.modeFor(database),
        idleTimeToLive: config.tenancy.idleTimeToLive,
        resyncInterval: config.tenancy.resyncInterval
      })
    ),
    Layer.provideMerge(rateLimiter(config)),
    Layer.provideMerge(MigrationRegistry.layer),
    Layer.provideMerge(Database.layer(database))
  )
}

/** Logs as JSON on stderr and traces through OTLP when the standard `OTEL_*` variables say so. */
export const observability = (config: ServerConfig) => Layer.mergeAll(JsonLogs.layer(config.logLevel), Tracing.layer)

/** Authentication at the HTTP edge, and the first API key of a fresh server. */
export const identityLayer = (config: ServerConfig) => {
  // One authenticator (the same layer value is built once) behind both the audited edge and the bootstrap.
  const authenticator = Authenticator.layer(config.identity)
  return Layer.mergeAll(
    auditedEdge.pipe(Layer.provide(authenticator)),
    Layer.effectDiscard(bootstrapKey(config)).pipe(Layer.provide(authenticator))
  )
}

/** The bundled server over HTTP: `/mcp`, `/metrics`, `/healthz`, `/readyz`, and the admin API when enabled. */
export const http = (config: ServerConfig, options: RunOptions = {}) => {
  const endpoint = Endpoint.layer({
    ...identity(config),
    maxBodyBytes: config.http.maxBodyBytes,
    sessions: {
      maxSessions: config.http.maxSessions,
      idleTimeoutMs: Duration.toMillis(config.http.sessionIdleTimeout)
    },
    ...(config.http.allowedHosts ? { allowedHosts: config.http.allowedHosts } : {}),
    ...(config.http.allowedOrigins ? { allowedOrigins: config.http.allowedOrigins } : {})
  }).pipe(Layer.provide(identityLayer(config)))
  const oauth = config.identity.oauth?.enabled === true ? config.identity.oauth : undefined
  const routes = Layer.mergeAll(
    McpHttp.route("/mcp"),
    MetricsRoute.route(Option.fromUndefinedOr(config.http.metricsToken)),
    HealthRoutes.routes,
    oauth === undefined ? Layer.empty : ProtectedResource.routes(oauth)
  )
  // Announced from the bound socket, once it listens: the real port (also with port 0), never before the database.
  const announce = Layer.effectDiscard(
    HttpServer.addressFormattedWith((address) => Effect.logInfo(`Bulwark listening on ${address}/mcp`))
  )
  // The listening socket is built last, after the database, plugins and endpoint: a connection accepted before the
  // router serves would wait forever.
  return HttpRouter.serve(routes).pipe(
    Layer.merge(announce),
    Layer.merge(reloading(options)),
    Layer.provide(
      NodeHttpServer.layer(createServer, {
        port: config.http.port,
        host: config.http.host,
        gracefulShutdownTimeout: config.http.shutdownGrace
      })
    ),
    // The operator's admin API: its own listener and credential, off unless enabled.
    Layer.merge(AdminServer.layer(config)),
    Layer.provide(endpoint),
    Layer.provide(core(config, options)),
    Layer.provide(observability(config))
  )
}

/** The bundled server over stdio: one connection on stdin/stdout until stdin closes. */
export const stdio = (config: ServerConfig, options: RunOptions = {}) => {
  const services = core(config, options)
  return Stdio.serve(identity(config), {
    principal: {
      tenantId: config.stdio.tenant,
      subject: config.stdio.subject,
      scopes: config.stdio.scopes,
      method: "stdio"
    }
  }).pipe(
    Effect.scoped,
    Effect.provide(Layer.merge(services, reloading(options).pipe(Layer.provide(services)))),
    Effect.provide(observability(config))
  )
}
