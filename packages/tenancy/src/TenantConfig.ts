/**
 * A tenant's configuration: who it is, what its principals may use (deny by default), its limits and its quotas.
 * Decoded from the app's config file and stored in PostgreSQL in its encoded (JSON) form.
 *
 * @since 0.1.0
 */
import { withDefault } from "@bulwark/core"
import { Schema } from "effect"

const PositiveInt = Schema.Int.check(Schema.isGreaterThan(0))
const NonNegativeInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

/** A tenant id: letters, digits, `.`, `_` and `-`, at most 64 characters (it appears in keys and metric labels). */
export const TenantId = Schema.String.check(Schema.isPattern(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/))

/**
 * A rate: `requests` per `per` (e.g. `"1 minute"`), as a token bucket that holds up to `burst` requests (default
 * `requests`) and refills one request every `per / requests`.
 */
export const Rate = Schema.Struct({
  requests: PositiveInt,
  per: Schema.DurationFromString,
  burst: Schema.optionalKey(PositiveInt)
})

/** A decoded {@link Rate}. */
export type Rate = typeof Rate.Type

/** Names allowed for one kind (tools, resources or prompts). Empty means none; `"*"` is an explicit "all". */
export const AllowList = Schema.Array(Schema.NonEmptyString)

/** Scopes required, by tool, resource (static URI or URI template) or prompt name. */
export const ScopeMap = Schema.Record(Schema.String, Schema.Array(Schema.NonEmptyString))

/** Scopes required of every item of a kind that has no entry of its own in the kind's scope map. */
export const DefaultScopes = Schema.Struct({
  tools: Schema.optionalKey(Schema.Array(Schema.NonEmptyString)),
  resources: Schema.optionalKey(Schema.Array(Schema.NonEmptyString)),
  prompts: Schema.optionalKey(Schema.Array(Schema.NonEmptyString))
})

/** How many requests of the tenant may be in flight at once, and how long a request may wait for a free permit. */
export const Concurrency = Schema.Struct({
  permits: PositiveInt,
  /** A short bounded wait for a permit before refusing; `"0 millis"` (the default) refuses at once. */
  maxWait: withDefault(Schema.DurationFromString, "0 millis")
})

/** The tenant's limits; each one left out is not enforced. */
export const Limits = Schema.Struct({
  /** Every request of the tenant. */
  rate: Schema.optionalKey(Rate),
  /** `tools/call` of the named tool, on top of the tenant's rate (for expensive tools). */
  toolRates: withDefault(Schema.Record(Schema.String, Rate), {}),
  concurrency: Schema.optionalKey(Concurrency),
  /** The ceiling on every call's timeout (a tool's own longer timeout is cut to it). */
  timeoutCap: Schema.optionalKey(Schema.DurationFromString)
})

/** Cost units per UTC day and per UTC month, charged for `tools/call`. */
export const Quotas = Schema.Struct({
  daily: Schema.optionalKey(NonNegativeInt),
  monthly: Schema.optionalKey(NonNegativeInt),
  /** What a tool costs when `toolCosts` does not name it. */
  defaultCost: withDefault(NonNegativeInt, 1),
  toolCosts: withDefault(Schema.Record(Schema.String, NonNegativeInt), {})
})

/** One tenant. Everything but `id` and `name` may be left out; what is left out allows nothing and limits nothing. */
export const TenantConfig = Schema.Struct({
  id: TenantId,
  name: Schema.NonEmptyString,
  enabled: withDefault(Schema.Boolean, true),
  tools: withDefault(AllowList, []),
  /** Static resource URIs and URI templates, exactly as the plugins declare them. */
  resources: withDefault(AllowList, []),
  prompts: withDefault(AllowList, []),
  defaultScopes: withDefault(DefaultScopes, {}),
  toolScopes: withDefault(ScopeMap, {}),
  resourceScopes: withDefault(ScopeMap, {}),
  promptScopes: withDefault(ScopeMap, {}),
  limits: withDefault(Limits, {}),
  quotas: withDefault(Quotas, {})
})

/** A decoded tenant configuration. */
export type TenantConfig = typeof TenantConfig.Type

/** Its JSON form, as written in the config file and stored in PostgreSQL. */
export type TenantConfigEncoded = typeof TenantConfig.Encoded

/** Decodes one tenant's configuration (from the config file, the admin API or the database). */
export const decode = Schema.decodeUnknownEffect(TenantConfig)

/** Encodes a configuration to its JSON form. */
export const encode = Schema.encodeSync(TenantConfig)

/** A value of a record-shaped part of the config, by own key only (never `constructor` and friends). */
export const lookup = <A>(record: Readonly<Record<string, A>>, key: string): A | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined
