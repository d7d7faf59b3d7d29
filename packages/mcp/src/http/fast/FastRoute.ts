/**
 * Which HTTP requests the fast path may serve, decided before anything runs. The fast path answers a stateless
 * `tools/call` (2026-07-28, or a 2025 request outside a session) straight from Node's request, without the SDK; the
 * SDK stays in charge of everything else. So that a client can never tell the two apart, a request qualifies only
 * when every check the SDK would make before dispatching it is known to pass:
 *
 * - 2026-07-28 (SEP-2243): the envelope names the revision the fast path speaks and the SDK's own
 *   `classifyInboundRequest` finds it valid (worked out once per distinct envelope), and the `MCP-Protocol-Version`,
 *   `Mcp-Method` and `Mcp-Name` headers are present and agree with the body (a Base64-encoded header value goes to
 *   the SDK, which decodes it).
 * - 2025 stateless: the classifier says "legacy, no envelope", `Accept` names both JSON and event streams, the
 *   `MCP-Protocol-Version` header is absent or a supported 2025 revision, and the id is a string or an integer.
 * - Both: params carry only `name`, `arguments` (an object) and `_meta`, and `_meta` only the envelope keys, trace
 *   context and nothing that changes how the exchange runs (a progress token or log level asks for an event stream,
 *   `requestState`/`inputResponses` for the SDK's verification, `task` for the Tasks extension).
 *
 * Anything else, including every request the SDK would refuse, is not a fast route: the caller hands it to the SDK
 * path, which answers it exactly as before.
 */
import type { ProtocolEra } from "@bulwark/core"
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  type ClientCapabilities,
  classifyInboundRequest,
  PROTOCOL_VERSION_META_KEY,
  SUPPORTED_PROTOCOL_VERSIONS,
  TRACEPARENT_META_KEY,
  TRACESTATE_META_KEY
} from "@modelcontextprotocol/server"
import { Predicate } from "effect"

/** The revision the fast path speaks on the 2026-07-28 side; other modern revisions go to the SDK. */
export const MODERN_REVISION = "2026-07-28"

/** The request headers the decision reads (lower-case names, as Node gives them). */
export interface RouteHeaders {
  readonly accept?: string | undefined
  readonly "mcp-protocol-version"?: string | undefined
  readonly "mcp-method"?: string | undefined
  readonly "mcp-name"?: string | undefined
}

/** A `tools/call` the fast path serves. */
export interface FastRoute {
  readonly era: ProtocolEra
  readonly id: string | number
  /** The tool's name. */
  readonly name: string
  /** The params as the pipeline sees them: without `_meta`. */
  readonly params: Readonly<Record<string, unknown>>
  /** The request's `_meta` without the envelope keys (trace context only, by construction). */
  readonly meta: Readonly<Record<string, unknown>>
  /** The capabilities the 2026-07-28 envelope declares (none for 2025 stateless requests). */
  readonly clientCapabilities?: ClientCapabilities
  readonly traceparent?: string
  readonly tracestate?: string
}

const ENVELOPE_KEYS: ReadonlySet<string> = new Set([
  PROTOCOL_VERSION_META_KEY,
  CLIENT_INFO_META_KEY,
  CLIENT_CAPABILITIES_META_KEY
])
const PARAM_KEYS: ReadonlySet<string> = new Set(["name", "arguments", "_meta"])
const LEGACY_REVISIONS: ReadonlySet<string> = new Set(SUPPORTED_PROTOCOL_VERSIONS)

const EMPTY: Readonly<Record<string, never>> = {}

/**
 * Whether a header's value, without the HTTP optional whitespace the SDK strips, is `expected` (compared as is
 * first: it nearly always is).
 */
const headerIs = (value: string | undefined, expected: string): boolean =>
  value === expected || value?.replace(/^[\t ]+|[\t ]+$/g, "") === expected

/** The params of a `tools/call` the fast path can serve, split into their parts; undefined when it cannot. */
const callParts = (
  params: unknown,
  era: ProtocolEra
): Omit<FastRoute, "era" | "id" | "clientCapabilities"> | undefined => {
  if (!Predicate.isObject(params)) return undefined
  for (const key in params) if (!PARAM_KEYS.has(key)) return undefined
  const name = params.name
  const args = params.arguments
  const meta = params._meta ?? EMPTY
  if (typeof name !== "string" || !Predicate.isObject(args ?? EMPTY) || !Predicate.isObject(meta)) return undefined
  let traceparent: string | undefined
  let tracestate: string | undefined
  for (const key in meta) {
    const value = meta[key]
    if (key === TRACEPARENT_META_KEY || key === TRACESTATE_META_KEY) {
      if (typeof value !== "string") return undefined
      if (key === TRACEPARENT_META_KEY) traceparent = value
      else tracestate = value
    } else if (era === "legacy" || !ENVELOPE_KEYS.has(key)) return undefined
  }
  // The params without `_meta`: `name` and `arguments` are all that is left (the keys were checked above).
  const withoutMeta = "arguments" in params ? { name, arguments: args } : { name }
  if (traceparent === undefined && tracestate === undefined) return { name, params: withoutMeta, meta: EMPTY }
  return {
    name,
    params: withoutMeta,
    meta: {
      ...(traceparent === undefined ? {} : { [TRACEPARENT_META_KEY]: traceparent }),
      ...(tracestate === undefined ? {} : { [TRACESTATE_META_KEY]: tracestate })
    },
    ...(traceparent === undefined ? {} : { traceparent }),
    ...(tracestate === undefined ? {} : { tracestate })
  }
}

const BODY_KEYS: ReadonlySet<string> = new Set(["jsonrpc", "id", "method", "params"])

/**
 * Envelopes the SDK's classifier has judged, by their JSON: a client sends the same envelope with every request, so
 * its (schema-validated) verdict is worked out once. Bounded: past `ENVELOPES_KEPT` it starts over.
 */
const envelopes = new Map<string, boolean>()
const ENVELOPES_KEPT = 1000

/** A 2026-07-28 `tools/call` the fast path serves, or undefined. */
const modernRoute = (headers: RouteHeaders, body: Record<string, unknown>, id: string | number) => {
  // SEP-2243: the standard headers are present and agree with the body (a Base64-encoded Mcp-Name goes to the SDK).
  if (!headerIs(headers["mcp-protocol-version"], MODERN_REVISION)) return undefined
  if (!headerIs(headers["mcp-method"], "tools/call")) return undefined
  const parts = callParts(body.params, "modern")
  if (parts === undefined || !headerIs(headers["mcp-name"], parts.name)) return undefined
  const meta = (body.params as Record<string, unknown>)._meta as Record<string, unknown>
  const capabilities = meta[CLIENT_CAPABILITIES_META_KEY]
  if (meta[PROTOCOL_VERSION_META_KEY] !== MODERN_REVISION || !Predicate.isObject(capabilities)) return undefined
  const key = JSON.stringify([meta[PROTOCOL_VERSION_META_KEY], meta[CLIENT_INFO_META_KEY], capabilities])
  let valid = envelopes.get(key)
  if (valid === undefined) {
    const outcome = classifyInboundRequest({
      httpMethod: "POST",
      body,
      protocolVersionHeader: MODERN_REVISION,
      mcpMethodHeader: "tools/call",
      mcpNameHeader: parts.name
    })
    valid =
      outcome.kind === "modern" &&
      outcome.messageKind === "request" &&
      outcome.classification.revision === MODERN_REVISION
    if (envelopes.size >= ENVELOPES_KEPT) envelopes.clear()
    envelopes.set(key, valid)
  }
  return valid ? { era: "modern" as const, id, clientCapabilities: capabilities, ...parts } : undefined
}

/**
 * A 2025 `tools/call` outside a session the fast path serves, or undefined. Without the envelope claim, with a 2025
 * protocol-version header or none, it is what the SDK's classifier calls "legacy, no claim", which its stateless
 * transport serves once `Accept` names both JSON and event streams.
 */
const legacyRoute = (headers: RouteHeaders, body: Record<string, unknown>, id: string | number) => {
  const accept = headers.accept
  if (accept === undefined || !accept.includes("application/json") || !accept.includes("text/event-stream")) {
    return undefined
  }
  const version = headers["mcp-protocol-version"]
  if (version !== undefined && !LEGACY_REVISIONS.has(version)) return undefined
  const parts = callParts(body.params, "legacy")
  return parts === undefined ? undefined : { era: "legacy" as const, id, ...parts }
}

/**
 * The fast route of a parsed request body with its headers, or undefined when the SDK path must serve it. Only for
 * POST requests without a session, whose `Content-Type` the caller has already checked.
 */
export const fastRoute = (headers: RouteHeaders, body: unknown): FastRoute | undefined => {
  if (!Predicate.isObject(body) || body.method !== "tools/call" || body.jsonrpc !== "2.0") return undefined
  for (const key in body) if (!BODY_KEYS.has(key)) return undefined
  const id = body.id
  if (typeof id !== "string" && !Number.isInteger(id)) return undefined
  const params = body.params
  if (!Predicate.isObject(params)) return undefined
  const meta = params._meta
  const claimed = Predicate.isObject(meta) && PROTOCOL_VERSION_META_KEY in meta
  return claimed ? modernRoute(headers, body, id as string | number) : legacyRoute(headers, body, id as string | number)
}
