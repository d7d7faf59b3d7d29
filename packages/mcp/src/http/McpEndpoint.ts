import type { Pipeline } from "@bulwark/core"
import { type EdgeHints, makeEdgeHints, type Principal } from "@bulwark/core"
import {
  type AuthInfo,
  createMcpHandler,
  DEFAULT_MAX_REQUEST_BODY_SIZE,
  isInitializeRequest,
  isJsonContentType,
  isLegacyRequest,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  originValidationResponse,
  readRequestBody,
  validateHostHeader,
  WebStandardStreamableHTTPServerTransport
} from "@modelcontextprotocol/server"
import { Cause, Effect, Exit, Option, type Scope } from "effect"
import { EdgeAuthentication } from "../auth/EdgeAuthentication.ts"
import { makeServerFactory, type ServerIdentity, type SubscriptionHooks } from "../bridge/ServerFactory.ts"
import { ClientSinks } from "../notify/ClientSinks.ts"
import { type LegacySession, LegacySessions, type SessionLimits, sessionSink } from "./LegacySessions.ts"
import { jsonRpcErrorResponse } from "./responses.ts"
import { serveStatelessLegacy } from "./statelessLegacy.ts"

/** How the MCP endpoint protects itself and its sessions. */
export interface EndpointOptions extends ServerIdentity {
  /** Host names (no port) the `Host` header may name; defaults to localhost names. DNS-rebinding protection. */
  readonly allowedHosts?: ReadonlyArray<string>
  /** Origin host names a browser may call from; defaults to localhost names. Requests without Origin pass. */
  readonly allowedOrigins?: ReadonlyArray<string>
  /** Largest accepted request body in bytes (413 above it). */
  readonly maxBodyBytes?: number
  readonly sessions?: Partial<SessionLimits>
}

/** The MCP endpoint as a web-standard handler: the same object serves HTTP, and in-process clients through `fetch`. */
export interface McpEndpoint {
  readonly fetch: (request: Request) => Promise<Response>
  /** Open 2025-era sessions (for metrics and tests). */
  readonly openSessions: () => number
}

const subscriptionHooks = (session: { subscriptions: Set<string> }): SubscriptionHooks => ({
  subscribe: (uri) => void session.subscriptions.add(uri),
  unsubscribe: (uri) => void session.subscriptions.delete(uri)
})

/**
 * Builds the endpoint: Host/Origin checks, a body-size limit, then the 2026-07-28 stateless path, 2025-era sessions
 * for clients that open one with `initialize`, and stateless 2025-era requests otherwise. Closed with its scope.
 */
export const makeEndpoint = (
  options: EndpointOptions
): Effect.Effect<McpEndpoint, never, Pipeline.Pipeline | ClientSinks | Scope.Scope> =>
  Effect.gen(function* () {
    const factory = yield* makeServerFactory(options)
    const sinks = yield* ClientSinks
    const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_REQUEST_BODY_SIZE
    const allowedHosts = [...(options.allowedHosts ?? localhostAllowedHostnames())]
    const allowedOrigins = [...(options.allowedOrigins ?? localhostAllowedOrigins())]
    // Log through the composition's logger (level, format, annotations), not the default runtime's.
    const runLog = Effect.runForkWith(yield* Effect.context<never>())
    const onerror = (error: Error) => runLog(Effect.logDebug("MCP transport reported", error.message))

    const modern = createMcpHandler((context) => factory(context), {
      legacy: "reject",
      maxRequestBodySize: maxBodyBytes,
      onerror
    })
    yield* sinks.register({
      toolsChanged: () => modern.notify.toolsChanged(),
      resourcesChanged: () => modern.notify.resourcesChanged(),
      promptsChanged: () => modern.notify.promptsChanged(),
      resourceUpdated: (uri) => modern.notify.resourceUpdated(uri)
    })

    const sessions = new LegacySessions({
      maxSessions: options.sessions?.maxSessions ?? 1000,
      idleTimeoutMs: options.sessions?.idleTimeoutMs ?? 30 * 60_000
    })
    const sweeper = setInterval(() => sessions.closeIdle(), Math.min(60_000, sessions.limits.idleTimeoutMs))
    sweeper.unref()
    yield* Effect.addFinalizer(() =>
      Effect.promise(async () => {
        clearInterval(sweeper)
        await sessions.closeAll()
        await modern.close()
      })
    )

    const authentication = yield* Effect.serviceOption(EdgeAuthentication)
    const runEdge = Effect.runPromiseExitWith(yield* Effect.context<never>())

    /** The principal, a refusal to send as is, or undefined when the endpoint serves without authentication. */
    const authenticate = async (request: Request, body: string): Promise<Principal | Response | undefined> => {
      if (Option.isNone(authentication)) return undefined
      const exit = await runEdge(authentication.value.authenticate(request, body))
      if (Exit.isSuccess(exit)) return exit.value
      const refusal = Cause.findErrorOption(exit.cause)
      if (refusal._tag === "Some") {
        runLog(Effect.logInfo("request refused at the edge").pipe(Effect.annotateLogs("reason", refusal.value.reason)))
        return refusal.value.response
      }
      runLog(Effect.logError("authentication failed unexpectedly", exit.cause))
      return jsonRpcErrorResponse(500, -32603, "Internal error")
    }

    const openSession = async (
      request: Request,
      body: unknown,
      principal: Principal | undefined,
      authInfo: AuthInfo | undefined
    ): Promise<Response> => {
      if (!sessions.reserve()) return jsonRpcErrorResponse(503, -32000, "Too many open sessions; retry later")
      const holder = { subscriptions: new Set<string>() }
      const server = factory({ era: "legacy" }, subscriptionHooks(holder), principal)
      const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        maxRequestBodySize: maxBodyBytes,
        onsessioninitialized: (id) => {
          const session: LegacySession = {
            id,
            server,
            transport,
            principal,
            subscriptions: holder.subscriptions,
            lastSeen: Date.now(),
            removeSink: () => undefined
          }
          session.removeSink = sinks.add(sessionSink(session))
          sessions.add(session)
        },
        onsessionclosed: (id) => sessions.remove(id)
      })
      transport.onclose = () => {
        if (transport.sessionId !== undefined) sessions.remove(transport.sessionId)
      }
      try {
        await server.connect(transport)
        return await transport.handleRequest(request, { parsedBody: body, ...(authInfo ? { authInfo } : {}) })
      } finally {
        // Added by now if `initialize` succeeded; either way the reservation has done its job.
        sessions.release()
      }
    }

    /** The open session with this id, if it belongs to the same principal (another principal learns nothing). */
    const sessionFor = (id: string, principal: Principal | undefined): LegacySession | undefined => {
      const session = sessions.get(id)
      if (session === undefined) return undefined
      if (!samePrincipal(session.principal, principal)) return undefined
      return session
    }

    const serve = async (request: Request, text: string, body: unknown): Promise<Response> => {
      const authenticated = await authenticate(request, text)
      if (authenticated instanceof Response) return authenticated
      const edge = makeEdgeHints()
      const authInfo: AuthInfo | undefined =
        authenticated === undefined
          ? undefined
          : {
              token: "",
              clientId: authenticated.subject,
              scopes: [...authenticated.scopes],
              extra: { principal: authenticated, edge }
            }
      const options = authInfo === undefined ? {} : { authInfo }
      const sessionId = request.headers.get("mcp-session-id")
      let response: Response
      if (request.method !== "POST") {
        if (sessionId === null) return modern.fetch(request, options)
        const session = sessionFor(sessionId, authenticated)
        if (session === undefined) return jsonRpcErrorResponse(404, -32001, "Session not found")
        return session.transport.handleRequest(request, options)
      }
      if (sessionId !== null) {
        const session = sessionFor(sessionId, authenticated)
        if (session === undefined) return jsonRpcErrorResponse(404, -32001, "Session not found")
        response = await session.transport.handleRequest(request, { parsedBody: body, ...options })
      } else if (!(await isLegacyRequest(request, body, { maxRequestBodySize: maxBodyBytes }))) {
        response = await modern.fetch(request, { parsedBody: body, ...options })
      } else if (isInitializeRequest(body)) {
        response = await openSession(request, body, authenticated, authInfo)
      } else {
        response = await serveStatelessLegacy(factory({ era: "legacy" }, undefined, authenticated), request, body, {
          maxBodyBytes,
          authInfo
        })
      }
      return withEdgeHints(response, edge)
    }

    const fetch = async (request: Request): Promise<Response> => {
      // In-process requests carry no Host header (it is a forbidden header for web Requests): use the URL's.
      const host = validateHostHeader(request.headers.get("host") ?? new URL(request.url).host, allowedHosts)
      if (!host.ok) return jsonRpcErrorResponse(403, -32000, `Forbidden: ${host.message}`)
      const rejected = originValidationResponse(request, allowedOrigins)
      if (rejected !== undefined) return rejected
      if (request.method !== "POST") return serve(request, "", undefined)

      if (!isJsonContentType(request.headers.get("content-type"))) {
        return jsonRpcErrorResponse(415, -32600, "Unsupported Media Type: Content-Type must be application/json")
      }
      const read = await readRequestBody(request, maxBodyBytes)
      if (read.tooLarge) {
        return jsonRpcErrorResponse(413, -32600, `Request body too large: the limit is ${maxBodyBytes} bytes`)
      }
      // Authentication comes before parsing: an unauthenticated caller learns nothing, not even about its JSON.
      let body: unknown
      try {
        body = JSON.parse(read.text)
      } catch {
        const authenticated = await authenticate(request, read.text)
        if (authenticated instanceof Response) return authenticated
        return jsonRpcErrorResponse(400, -32700, "Parse error: the request body is not valid JSON")
      }
      return serve(request, read.text, body)
    }

    return { fetch, openSessions: () => sessions.size }
  })

const samePrincipal = (a: Principal | undefined, b: Principal | undefined): boolean =>
  a === undefined || b === undefined ? a === b : a.tenantId === b.tenantId && a.subject === b.subject

/** Applies what the pipeline asked of the HTTP edge (e.g. 429 and `Retry-After` for a limited call). */
const withEdgeHints = (response: Response, edge: EdgeHints): Response => {
  if (edge.status === undefined) return response
  const headers = new Headers(response.headers)
  for (const [name, value] of Object.entries(edge.headers)) headers.set(name, value)
  return new Response(response.body, { status: edge.status, statusText: "", headers })
}
