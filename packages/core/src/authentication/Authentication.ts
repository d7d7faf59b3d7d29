/**
 * The authentication port: who is calling, decided from plain data before any MCP work. A transport hands over what
 * it received (method, path, headers, body) and gets a principal, or a refusal that says exactly what to answer
 * (status, headers, body) and, for the server's own log and audit only, why. The HTTP edge, stdio and any later
 * transport call this same port; `@bulwark/identity` implements it (API keys, HMAC, OAuth), `fixed` gives every
 * request one configured principal (stdio, or a deliberately open test server).
 */
import { Context, Data, Effect, Layer, type Tracer } from "effect"
import type { Principal } from "../request/Principal.ts"

/** What a transport received, as plain data. */
export interface Credentials {
  /** Which transport asks. */
  readonly transport: "http" | "websocket" | "stdio" | "in-process"
  /** The HTTP method (`POST`, `GET`, ...); empty where the transport has none. */
  readonly method: string
  /** Path and query as received (e.g. `/mcp?x=1`); empty where the transport has none. */
  readonly path: string
  /** Headers with lower-case names (repeated headers joined with `, `); empty where the transport has none. */
  readonly headers: Readonly<Record<string, string>>
  /** The raw request body (for schemes that sign it); empty where there is none. */
  readonly body: string
  /** The client's network address (the peer of the connection), where the transport has one. */
  readonly clientAddress?: string
}

/** What a refused credential claimed to be, when it said (for the audit log only). */
export interface Claimed {
  readonly tenantId?: string
  readonly subject?: string
  readonly method?: string
}

/** A refused request, with the answer to send and the reason to record. */
export class AuthenticationRefused extends Data.TaggedError("AuthenticationRefused")<{
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  /** The response body (a JSON-RPC error or an OAuth error document). */
  readonly body: string
  /** Why, for the server's own log and audit; never sent to the client. */
  readonly reason: string
  readonly claimed?: Claimed
  /**
   * Refused because the client's address is throttled (too many failed attempts), not for its credential: such
   * refusals come in floods, and the edge counts them rather than recording each.
   */
  readonly throttled?: boolean
}> {}

/** Decides who is calling. */
export interface AuthenticationShape {
  readonly authenticate: (credentials: Credentials) => Effect.Effect<Principal, AuthenticationRefused>
  /**
   * Who is calling, when the port can tell at once from what it holds in memory (a credential it verified lately),
   * else `undefined`: then `authenticate` decides. It never refuses (a refusal is `authenticate`'s, which accounts
   * for it). `nowMs` is the caller's clock; `span`, the request's span, where the port may note how it decided. A
   * transport asks it first on its hot path: a request it answers costs no effect of its own.
   */
  readonly recall?: (credentials: Credentials, nowMs: number, span: Tracer.Span | undefined) => Principal | undefined
}

/** The authentication port; a transport without it serves without authentication. */
export class Authentication extends Context.Service<Authentication, AuthenticationShape>()(
  "@bulwark/core/Authentication"
) {}

/**
 * Every request acts as `principal`: for stdio (whose principal comes from configuration) and for servers that are
 * deliberately open (a conformance fixture). Never for a server reachable by others.
 */
export const fixed = (principal: Principal): Layer.Layer<Authentication> =>
  Layer.succeed(Authentication, { authenticate: () => Effect.succeed(principal) })

/** The credentials of an HTTP request, from a web `Request`, its body text and the client's address if known. */
export const fromWebRequest = (request: Request, body: string, clientAddress?: string): Credentials => {
  const headers: Record<string, string> = {}
  request.headers.forEach((value, name) => {
    headers[name] = value
  })
  const url = new URL(request.url)
  return {
    transport: "http",
    method: request.method,
    path: `${url.pathname}${url.search}`,
    headers,
    body,
    ...(clientAddress === undefined ? {} : { clientAddress })
  }
}
