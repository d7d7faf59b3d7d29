import { AuditConfig } from "@bulwark/audit"
import { DatabaseConfig } from "@bulwark/database"
import { IdentityConfig } from "@bulwark/identity"
import { TenancyConfig } from "@bulwark/tenancy"
import { Effect, Schema } from "effect"

const Port = Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 65535 }))
const PositiveInt = Schema.Int.check(Schema.isGreaterThan(0))
/** A duration written as text, e.g. "500 millis", "30 seconds", "5 minutes". */
const DurationText = Schema.DurationFromString

/** A key that may be left out; `value` is what the file would have said. */
const withDefault = <S extends Schema.Top>(schema: S, value: S["Encoded"]) =>
  schema.pipe(Schema.withDecodingDefaultKey(Effect.succeed(value as never)))

/** The HTTP side of the server: where it listens and what it accepts. */
export const HttpConfig = Schema.Struct({
  port: withDefault(Port, 3000),
  host: withDefault(Schema.NonEmptyString, "127.0.0.1"),
  /** Host names the `Host` header may carry (DNS-rebinding protection); localhost names when unset. */
  allowedHosts: Schema.optionalKey(Schema.Array(Schema.NonEmptyString)),
  /** Browser origins (host names) allowed to call; localhost names when unset. */
  allowedOrigins: Schema.optionalKey(Schema.Array(Schema.NonEmptyString)),
  maxBodyBytes: withDefault(PositiveInt, 1_048_576),
  /** How long in-flight requests may take to finish on shutdown. */
  shutdownGrace: withDefault(DurationText, "10 seconds"),
  maxSessions: withDefault(PositiveInt, 1000),
  /** A bearer token scrapers must present on `/metrics` (`BULWARK_METRICS_TOKEN`); open when unset. */
  metricsToken: Schema.optionalKey(Schema.RedactedFromValue(Schema.String.check(Schema.isMinLength(16)))),
  sessionIdleTimeout: withDefault(DurationText, "30 minutes")
})

/** Per-call time limits. */
export const TimeoutConfig = Schema.Struct({
  default: withDefault(DurationText, "30 seconds"),
  max: withDefault(DurationText, "5 minutes")
})

/** The tickets plugin's switches. */
export const TicketsConfig = Schema.Struct({
  enabled: withDefault(Schema.Boolean, true),
  /** Inserts a few demo users into an empty default tenant, so a fresh server has something to show. */
  seedDemoData: withDefault(Schema.Boolean, true)
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
  /** Where embedded data lives (`BULWARK_DATA_DIR`). */
  dataDir: withDefault(Schema.NonEmptyString, ".bulwark"),
  /** Shared caches and limits (`REDIS_URL`); in-process when unset. */
  redisUrl: Schema.optionalKey(Schema.String),
  http: withDefault(HttpConfig, {} as never),
  timeouts: withDefault(TimeoutConfig, {} as never),
  database: withDefault(DatabaseConfig, {} as never),
  plugins: withDefault(Schema.Struct({ tickets: withDefault(TicketsConfig, {} as never) }), {} as never),
  /** How HTTP callers authenticate: API keys (on by default), HMAC-signed requests, OAuth bearer tokens. */
  identity: withDefault(IdentityConfig, {} as never),
  /** An API key to import as the first key on an empty key store (`BULWARK_API_KEY`), instead of generating one. */
  bootstrapApiKey: Schema.optionalKey(Schema.RedactedFromValue(Schema.NonEmptyString)),
  stdio: withDefault(StdioConfig, {} as never),
  /** Tenants (allow-lists, scopes, limits, quotas) and how their actors live. */
  tenancy: withDefault(TenancyConfig, {} as never),
  /** The audit log's buffer and batching. */
  audit: withDefault(AuditConfig, {} as never),
  admin: withDefault(AdminConfig, {} as never)
})

/** The decoded configuration. */
export type ServerConfig = typeof ServerConfig.Type
