/**
 * The bundled server's configuration file, as an Effect Schema: every key optional, with its default written once in
 * the form the file would have it, and every object closed (a misspelt key is an error naming it and the accepted
 * ones). Each package owns its section's schema (identity, tenancy, audit, database); each plugin owns its section
 * under `plugins`, decoded with the plugin's own schema once the plugin is known (see `PluginSettings`).
 */

import { AuditConfig } from "@bulwark/audit"
import { CacheConfig } from "@bulwark/cache"
import { AccessLogConfig, AdmissionConfig, withDefault } from "@bulwark/core"
import { DatabaseConfig } from "@bulwark/database"
import { IdempotencyConfig } from "@bulwark/idempotency"
import { IdentityConfig } from "@bulwark/identity"
import { JobsConfig } from "@bulwark/jobs"
import { TenancyConfig } from "@bulwark/tenancy"
import { Schema } from "effect"
import type { EnabledPlugin } from "../plugins/PluginSettings.ts"

const Port = Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 65535 }))
const PositiveInt = Schema.Int.check(Schema.isGreaterThan(0))
/** A duration written as text, e.g. "500 millis", "30 seconds", "5 minutes". */
const DurationText = Schema.DurationFromString

/** The limits of MCP over WebSocket (see `http.websocket`). */
export const WebSocketLimitsConfig = Schema.Struct({
  /** Connections open at once; past it an upgrade is answered 503. */
  maxConnections: withDefault(PositiveInt, 1000),
  /** A connection's requests running at once; one past it is answered with an error at once. */
  maxInFlight: withDefault(PositiveInt, 32),
  /** A connection with no message from its client for this long is closed (1000). */
  idleTimeout: withDefault(DurationText, "30 minutes"),
  /** How often a connection is pinged; a peer that missed the previous pong is dropped. */
  pingInterval: withDefault(DurationText, "30 seconds"),
  /** Bytes waiting for a client that does not read before its connection is closed (1008). */
  maxBufferedBytes: withDefault(PositiveInt, 8 * 1_048_576)
})

/** The HTTP side of the server: where it listens and what it accepts. */
export const HttpConfig = Schema.Struct({
  port: withDefault(Port, 3000),
  host: withDefault(Schema.NonEmptyString, "127.0.0.1"),
  /** Host names the `Host` header may carry (DNS-rebinding protection); localhost names when unset. */
  allowedHosts: Schema.optionalKey(Schema.Array(Schema.NonEmptyString)),
  /** Browser origins (host names) allowed to call; localhost names when unset. */
  allowedOrigins: Schema.optionalKey(Schema.Array(Schema.NonEmptyString)),
  /** Reverse proxies (addresses) whose `X-Forwarded-For` names the client (failed logins are counted per client). */
  trustedProxies: withDefault(Schema.Array(Schema.NonEmptyString), []),
  maxBodyBytes: withDefault(PositiveInt, 1_048_576),
  /** How long in-flight requests may take to finish on shutdown. */
  shutdownGrace: withDefault(DurationText, "10 seconds"),
  maxSessions: withDefault(PositiveInt, 1000),
  /** A bearer token scrapers must present on `/metrics` (`BULWARK_METRICS_TOKEN`); open when unset. */
  metricsToken: Schema.optionalKey(Schema.RedactedFromValue(Schema.String.check(Schema.isMinLength(16)))),
  sessionIdleTimeout: withDefault(DurationText, "30 minutes"),
  /** MCP over WebSocket on the MCP path (`ws://host:port/mcp`, subprotocol `mcp`): off unless enabled. */
  websocket: withDefault(Schema.Boolean, false),
  websocketLimits: withDefault(WebSocketLimitsConfig, {})
})

/** What `/metrics` exports (every series is listed in the server's README). */
export const MetricsConfig = Schema.Struct({
  /**
   * Which series carry `tenant_id`: `all` (the request histogram too), `counters` (the default: counters per tenant,
   * the request histogram per method and tool) or `none` (no series names a tenant: for many tenants).
   */
  tenantLabel: withDefault(Schema.Literals(["all", "counters", "none"]), "counters")
})

/** Per-call time limits. */
export const TimeoutConfig = Schema.Struct({
  default: withDefault(DurationText, "30 seconds"),
  max: withDefault(DurationText, "5 minutes")
})

/** Who a stdio connection acts as: stdio has no authentication of its own. */
export const StdioConfig = Schema.Struct({
  tenant: withDefault(Schema.NonEmptyString, "default"),
  subject: withDefault(Schema.NonEmptyString, "stdio"),
  scopes: withDefault(Schema.Array(Schema.NonEmptyString), [])
})

/** The operator's admin API: a separate listener with its own credential, off unless enabled. */
export const AdminConfig = Schema.Struct({
  enabled: withDefault(Schema.Boolean, false),
  port: withDefault(Port, 3001),
  host: withDefault(Schema.NonEmptyString, "127.0.0.1"),
  /** The admin bearer token (`BULWARK_ADMIN_TOKEN`); required when enabled. At least 32 characters. */
  token: Schema.optionalKey(Schema.RedactedFromValue(Schema.String.check(Schema.isMinLength(32))))
})

/** The whole configuration file of the bundled server. Every key is optional. */
export const ServerConfig = Schema.Struct({
  name: withDefault(Schema.NonEmptyString, "bulwark"),
  logLevel: withDefault(Schema.Literals(["trace", "debug", "info", "warn", "error", "fatal", "none"]), "info"),
  /** The one `request` line per request: every request, failures only, or none; successful ones sampled. */
  accessLog: withDefault(AccessLogConfig, {}),
  metrics: withDefault(MetricsConfig, {}),
  /**
   * Where the embedded database and the first key's file live (`BULWARK_DATA_DIR`): relative to the file that sets
   * it; by default next to the configuration file, else in the user's data directory (see `dataDir.ts`).
   */
  dataDir: withDefault(Schema.NonEmptyString, ".bulwark"),
  /** Shared caches and limits (`REDIS_URL`); in-process when unset. */
  redisUrl: Schema.optionalKey(Schema.String),
  http: withDefault(HttpConfig, {}),
  /** Load shedding, server-wide and on every transport: requests in flight, a short queue, then 503. */
  admission: withDefault(AdmissionConfig, {}),
  timeouts: withDefault(TimeoutConfig, {}),
  database: withDefault(DatabaseConfig, {}),
  /**
   * One section per plugin, by name: `enabled` (default true), `module` (a package or file whose default export is
   * the installable plugin, for plugins the server does not bundle), and the plugin's own settings.
   */
  plugins: withDefault(Schema.Record(Schema.String, Schema.Unknown), {}),
  /** How HTTP callers authenticate: API keys (on by default), HMAC-signed requests, OAuth bearer tokens. */
  identity: withDefault(IdentityConfig, {}),
  /** An API key to import as the first key on an empty key store (`BULWARK_API_KEY`), instead of generating one. */
  bootstrapApiKey: Schema.optionalKey(Schema.RedactedFromValue(Schema.NonEmptyString)),
  /** The tenant of that first key: when unset, the first tenant of `tenancy.tenants`, else `default`. */
  bootstrapTenant: Schema.optionalKey(Schema.NonEmptyString),
  stdio: withDefault(StdioConfig, {}),
  /** Tenants (allow-lists, scopes, limits, quotas) and how their actors live. */
  tenancy: withDefault(TenancyConfig, {}),
  /** The audit log's buffer and batching. */
  audit: withDefault(AuditConfig, {}),
  /** The in-process cache of tool answers that plugins declare cacheable: its bounds. */
  cache: withDefault(CacheConfig, {}),
  /** Idempotency keys on `tools/call`: how long they are remembered, and a running call's lease. */
  idempotency: withDefault(IdempotencyConfig, {}),
  /** Durable jobs (tools that run as tasks): workers per instance, running jobs per tenant, retention, lease. */
  jobs: withDefault(JobsConfig, {}),
  admin: withDefault(AdminConfig, {})
}).check(
  Schema.makeFilter((config) => {
    const tenants = config.tenancy.tenants
    if (config.bootstrapTenant === undefined || tenants.length === 0) return undefined
    if (tenants.some((tenant) => tenant.id === config.bootstrapTenant)) return undefined
    return {
      path: ["bootstrapTenant"],
      issue: `"${config.bootstrapTenant}" is not a tenant of tenancy.tenants (${tenants.map((tenant) => tenant.id).join(", ")})`
    }
  })
)

/** The configuration file as decoded, before its plugins are resolved. */
export type ServerConfigFile = typeof ServerConfig.Type

/** The server's configuration: the file, with the plugins it enables resolved and their settings decoded. */
export type ServerConfig = Omit<ServerConfigFile, "plugins"> & { readonly plugins: ReadonlyArray<EnabledPlugin> }
