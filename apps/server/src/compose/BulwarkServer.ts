/**
 * The production composition: a Bulwark server from layers, over the plugins its configuration enables and the ones
 * the composition adds. Every request goes through authentication (core's port: identity's API keys, HMAC and OAuth
 * over HTTP; the configured principal on stdio), tenancy, authorization, rate limits, quotas, concurrency, validation
 * and deadlines, and leaves one audit record, one log line and its metrics; `/healthz`, `/readyz` and `/metrics`
 * sit beside `/mcp`, and the admin API on its own listener when enabled. The bundled app (`main.ts`), the
 * conformance fixture and the benchmark server are all this composition.
 */
import { AuditLog, AuditStage, layerEdgeExchanges } from "@bulwark/audit"
import { CacheStage, layerNoSharedCache, layerRedisSharedCache, layerToolCache } from "@bulwark/cache"
import { Admission, Authentication, Catalog, type Installed, Pipeline, Plugin } from "@bulwark/core"
import { Database, MigrationRegistry, type MigrationRegistry as MigrationRegistryService } from "@bulwark/database"
import { IdempotencyMigrations, stage as IdempotencyStage, layer as layerIdempotency } from "@bulwark/idempotency"
import { Authenticator, FailedLogins, ProtectedResource } from "@bulwark/identity"
import { Jobs, layer as layerJobs, layerWorkers } from "@bulwark/jobs"
import { ClientSinks, Endpoint, McpHttp, McpNodeServer, Stdio } from "@bulwark/mcp"
import { JsonLogs, ProcessMetrics, Tracing } from "@bulwark/observability"
import { BackendStage, layerBackends } from "@bulwark/resilience"
import { jobToolsPlugin, layerExecutor, ToolTasks, methods as taskMethods, layer as toolTasks } from "@bulwark/tasks"
import { ChangeFeed, Guards, ListChanges, RateLimits, Tenancy, type Tenants } from "@bulwark/tenancy"
import type * as NodeRedis from "@effect/platform-node/NodeRedis"
import { Duration, Effect, Layer, Option } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import type { SqlClient } from "effect/sql/SqlClient"
import { AdminServer } from "../admin/index.ts"
import type { ConfigSources } from "../config/loadConfig.ts"
import type { ServerConfig } from "../config/ServerConfig.ts"
import * as HealthRoutes from "../health/HealthRoutes.ts"
import * as MetricsRoute from "../metrics/MetricsRoute.ts"
import { naming, type PluginFailed } from "../plugins/PluginFailed.ts"
import { version } from "../version.ts"
import { bootstrapKey } from "./bootstrap.ts"
import * as CacheFeed from "./CacheFeed.ts"
import { configReload } from "./configReload.ts"
import { databaseConfig } from "./databaseConfig.ts"
import { syncTenants } from "./tenants.ts"

/** What the server provides to plugin layers: its database pool, its migration registry and its durable jobs. */
export type PluginServices = SqlClient | MigrationRegistryService | Jobs

/** Work a composition runs in every tenant's scope while the tenant is up (supervised, restarted with backoff). */
export type TenantWork = Pick<Tenants.TenantsOptions, "background" | "backoff">

/** How this process runs. */
export interface RunOptions {
  readonly inMemory?: boolean
  /** Where the configuration came from, to re-read tenants on SIGHUP or when the file changes. */
  readonly configSources?: ConfigSources
  /** Plugins of this composition, installed beside the ones the configuration enables. */
  readonly plugins?: ReadonlyArray<Installed<unknown, PluginServices>>
  /**
   * Who HTTP requests act as. By default identity's authenticator from `config.identity` (API keys, HMAC, OAuth),
   * which also creates the first API key of a fresh server. Give `Authentication.fixed(principal)` only to a server
   * nobody else can reach (a test fixture).
   */
  readonly authentication?: Layer.Layer<Authentication.Authentication>
  /** Where logs go; by default JSON lines on stderr at `config.logLevel` (and OTLP traces when configured). */
  readonly observability?: Layer.Layer<never>
  /** Per-tenant background work, if the composition has any. */
  readonly tenantWork?: TenantWork
}

/** Hot reload of tenants when the configuration's sources are known. */
const reloading = (options: RunOptions) =>
  options.configSources === undefined ? Layer.empty : configReload(options.configSources)

const identity = (config: ServerConfig) => ({
  name: config.name,
  version,
  instructions: "Bulwark serves company tools to agents with authentication, limits and audit.",
  listTtlMs: 30_000
})

/**
 * The one Redis connection the server shares (rate limits, the cache's second layer), when `REDIS_URL` is set. The
 * Redis client is loaded only then: some 650 modules that a server without Redis would carry for nothing.
 */
const redis = (url: string): ReturnType<typeof NodeRedis.layer> =>
  Layer.unwrap(
    Effect.map(
      Effect.promise(() => import("@effect/platform-node/NodeRedis")),
      (NodeRedis) => NodeRedis.layer({ url })
    )
  )

/** Rate limits shared through Redis when `REDIS_URL` is set, in-process otherwise. */
const rateLimiter = (redisLayer: ReturnType<typeof redis> | undefined) =>
  redisLayer === undefined ? RateLimits.layerMemory : RateLimits.layerRedis().pipe(Layer.provide(redisLayer))

/** The cache's second layer: in Redis when `REDIS_URL` is set (shared by every instance), none otherwise. */
const sharedCache = (redisLayer: ReturnType<typeof redis> | undefined) =>
  redisLayer === undefined ? layerNoSharedCache : layerRedisSharedCache().pipe(Layer.provide(redisLayer))

/** Every stage of the request pipeline: the framework's own, the audit log's and tenancy's. */
const pipeline = (config: ServerConfig) =>
  Pipeline.layerWith(
    Effect.gen(function* () {
      const audit = yield* AuditStage.make
      const guards = yield* Guards.make
      const backends = yield* BackendStage.make
      const cache = yield* CacheStage.make
      const idempotency = yield* IdempotencyStage
      const tasks = yield* ToolTasks
      const methods = yield* taskMethods
      return {
        timeout: config.timeouts,
        stages: [audit, ...guards, idempotency, cache, tasks.stage, backends],
        methods,
        accessLog: config.accessLog,
        tenantLabel: config.metrics.tenantLabel
      }
    })
  )

/** The plugins to install: the configuration's, then the composition's own; a failure names its plugin. */
export const installedPlugins = (
  config: ServerConfig,
  options: RunOptions = {}
): ReadonlyArray<Installed<PluginFailed, PluginServices>> =>
  [
    // A plugin loaded by module name is checked to be a plugin, not what its layer needs: the server provides its
    // database pool and migration registry, and a plugin needing more fails at start, named.
    ...config.plugins.map(
      (plugin) => Plugin.installWith(plugin.installable, plugin.config) as Installed<unknown, PluginServices>
    ),
    ...(options.plugins ?? [])
  ].map(naming)

/** The job tools, with which 2025 clients follow the jobs of tools that run as tasks (installed only if there are such). */
const jobTools = [
  naming(
    Plugin.install(jobToolsPlugin, Layer.effect(Jobs, Jobs.use(Effect.succeed))) as Installed<unknown, PluginServices>
  )
]

/**
 * The pipeline over the plugins and everything it stands on: tenants, limits, the audit log, the database, and the
 * change-event sinks. Shared by HTTP and stdio.
 */
export const core = (config: ServerConfig, options: RunOptions = {}) => {
  const database = databaseConfig(config, options)
  // One layer value, so that the rate limits and the cache share one connection.
  const redisLayer = config.redisUrl === undefined ? undefined : redis(config.redisUrl)
  return Layer.mergeAll(
    pipeline(config),
    ListChanges.layer,
    layerEdgeExchanges,
    Admission.layer(config.admission),
    Layer.effectDiscard(syncTenants(config)),
    // This instance's job workers run tool jobs through the pipeline's tail.
    layerWorkers(config.jobs).pipe(Layer.provide(layerExecutor))
  ).pipe(
    Layer.provideMerge(toolTasks),
    Layer.provideMerge(ClientSinks.layer),
    Layer.provideMerge(layerBackends),
    Layer.provideMerge(layerIdempotency(config.idempotency).pipe(Layer.provide(IdempotencyMigrations.layer))),
    Layer.provideMerge(
      layerToolCache(config.cache).pipe(Layer.provide(CacheFeed.layer), Layer.provide(sharedCache(redisLayer)))
    ),
    Layer.provideMerge(Catalog.layerInstalled(installedPlugins(config, options), { forTasks: jobTools })),
    Layer.provideMerge(layerJobs(config.jobs)),
    Layer.provideMerge(AuditLog.layer(config.audit)),
    Layer.provideMerge(
      Tenancy.layer({
        ...options.tenantWork,
        propagation: ChangeFeed.modeFor(database),
        idleTimeToLive: config.tenancy.idleTimeToLive,
        resyncInterval: config.tenancy.resyncInterval
      })
    ),
    Layer.provideMerge(rateLimiter(redisLayer)),
    Layer.provideMerge(MigrationRegistry.layer),
    Layer.provideMerge(Database.layer(database))
  )
}

/** Logs as JSON on stderr and traces through OTLP when the standard `OTEL_*` variables say so. */
export const observability = (config: ServerConfig, options: RunOptions = {}) =>
  options.observability ?? Layer.mergeAll(JsonLogs.layer(config.logLevel), Tracing.layer)

/**
 * Authentication over HTTP: identity's authenticator behind the failed-login throttle, and the first API key of a fresh
 * server; or the given port.
 */
export const authentication = (config: ServerConfig, options: RunOptions = {}) => {
  if (options.authentication !== undefined) return options.authentication
  // One authenticator (the same layer value is built once) behind both the endpoint and the bootstrap.
  const authenticator = Authenticator.layer(config.identity)
  // The endpoint authenticates through the failed-login throttle (its budgets in the composition's rate limiter).
  const throttled = FailedLogins.layer(config.identity.failedLogins).pipe(Layer.provide(authenticator))
  return Layer.merge(throttled, Layer.effectDiscard(bootstrapKey(config)).pipe(Layer.provide(authenticator)))
}

/**
 * The bundled server over HTTP: `/mcp`, `/metrics`, `/healthz`, `/readyz`, and the admin API when enabled. The
 * layer also gives the services it runs on (the HTTP server with its address, the pipeline, the catalog, the audit
 * log, tenancy, the database).
 */
export const http = (config: ServerConfig, options: RunOptions = {}) => {
  const endpoint = Endpoint.layer({
    ...identity(config),
    accessLog: config.accessLog,
    maxBodyBytes: config.http.maxBodyBytes,
    sessions: {
      maxSessions: config.http.maxSessions,
      idleTimeoutMs: Duration.toMillis(config.http.sessionIdleTimeout)
    },
    ...(config.http.allowedHosts ? { allowedHosts: config.http.allowedHosts } : {}),
    ...(config.http.allowedOrigins ? { allowedOrigins: config.http.allowedOrigins } : {}),
    trustedProxies: config.http.trustedProxies,
    ...(config.http.websocket ? { websocket: websocketOptions(config.http.websocketLimits) } : {})
  }).pipe(Layer.provide(authentication(config, options)))
  const oauth = config.identity.oauth?.enabled === true ? config.identity.oauth : undefined
  const routes = Layer.mergeAll(
    McpHttp.route("/mcp"),
    MetricsRoute.route(Option.fromUndefinedOr(config.http.metricsToken), config.metrics.tenantLabel),
    HealthRoutes.routes,
    Layer.effectDiscard(ProcessMetrics.recordBuildInfo(version)),
    oauth === undefined ? Layer.empty : ProtectedResource.routes(oauth)
  )
  // Announced from the bound socket, once it listens: the real port (also with port 0), never before the database.
  // Closed first on shutdown (it is built last): the start of the shutdown is logged before anything stops.
  const announce = Layer.effectDiscard(
    HttpServer.addressFormattedWith((address) => Effect.logInfo(`Bulwark listening on ${address}/mcp`)).pipe(
      Effect.andThen(
        Effect.addFinalizer(() =>
          Effect.logInfo(
            `Shutting down: no new connections; in-flight requests have ${Duration.format(config.http.shutdownGrace)} to finish`
          )
        )
      )
    )
  )
  // The listening socket is built last, after the database, plugins and endpoint: a connection accepted before the
  // router serves would wait forever.
  return HttpRouter.serve(routes).pipe(
    Layer.merge(announce),
    Layer.merge(reloading(options)),
    Layer.provide(McpHttp.routerSpanOff("/mcp")),
    // Node's server with the fast path on /mcp; what it leaves alone reaches the router.
    Layer.provideMerge(
      McpNodeServer.layer({
        path: "/mcp",
        port: config.http.port,
        host: config.http.host,
        gracefulShutdownTimeout: config.http.shutdownGrace
      })
    ),
    // The operator's admin API: its own listener and credential, off unless enabled.
    Layer.merge(AdminServer.layer(config)),
    Layer.provide(endpoint),
    Layer.provideMerge(core(config, options)),
    Layer.provide(observability(config, options))
  )
}

/** The WebSocket limits of the configuration, as the endpoint takes them. */
const websocketOptions = (limits: ServerConfig["http"]["websocketLimits"]) => ({
  maxConnections: limits.maxConnections,
  maxInFlight: limits.maxInFlight,
  idleTimeoutMs: Duration.toMillis(limits.idleTimeout),
  pingIntervalMs: Duration.toMillis(limits.pingInterval),
  maxBufferedBytes: limits.maxBufferedBytes,
  highWaterBytes: Math.min(1_048_576, limits.maxBufferedBytes / 2)
})

/** The bundled server over stdio: one connection on stdin/stdout, acting as the configured principal. */
export const stdio = (config: ServerConfig, options: RunOptions = {}) => {
  const services = core(config, options)
  const principal = Authentication.fixed({
    tenantId: config.stdio.tenant,
    subject: config.stdio.subject,
    scopes: config.stdio.scopes,
    method: "stdio"
  })
  return Stdio.serve(identity(config)).pipe(
    Effect.scoped,
    Effect.provide(Layer.mergeAll(services, principal, reloading(options).pipe(Layer.provide(services)))),
    Effect.provide(observability(config, options))
  )
}
