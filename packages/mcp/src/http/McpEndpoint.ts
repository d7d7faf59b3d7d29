import type { Pipeline } from "@bulwark/core"
import {
  createMcpHandler,
  DEFAULT_MAX_REQUEST_BODY_SIZE,
  isInitializeRequest,
  isJsonContentType,
  isLegacyRequest,
  legacyStatelessFallback,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  originValidationResponse,
  readRequestBody,
  validateHostHeader,
  WebStandardStreamableHTTPServerTransport
} from "@modelcontextprotocol/server"
import { Effect, type Scope } from "effect"
import { makeServerFactory, type ServerIdentity, type SubscriptionHooks } from "../bridge/ServerFactory.ts"
import { ClientSinks } from "../notify/ClientSinks.ts"
import { type LegacySession, LegacySessions, type SessionLimits, sessionSink } from "./LegacySessions.ts"
import { jsonRpcErrorResponse } from "./responses.ts"

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
    const onerror = (error: Error) => Effect.runFork(Effect.logDebug("MCP transport reported", error.message))

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
    const stateless = legacyStatelessFallback((context) => factory(context), onerror, {
      maxRequestBodySize: maxBodyBytes
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

    const openSession = async (request: Request, body: unknown): Promise<Response> => {
      if (!sessions.hasRoom()) return jsonRpcErrorResponse(503, -32000, "Too many open sessions; retry later")
      const holder = { subscriptions: new Set<string>() }
      const server = factory({ era: "legacy" }, subscriptionHooks(holder))
      const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        maxRequestBodySize: maxBodyBytes,
        onsessioninitialized: (id) => {
          const session: LegacySession = {
            id,
            server,
            transport,
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
      await server.connect(transport)
      return transport.handleRequest(request, { parsedBody: body })
    }

    const fetch = async (request: Request): Promise<Response> => {
      // In-process requests carry no Host header (it is a forbidden header for web Requests): use the URL's.
      const host = validateHostHeader(request.headers.get("host") ?? new URL(request.url).host, allowedHosts)
      if (!host.ok) return jsonRpcErrorResponse(403, -32000, `Forbidden: ${host.message}`)
      const rejected = originValidationResponse(request, allowedOrigins)
      if (rejected !== undefined) return rejected

      const sessionId = request.headers.get("mcp-session-id")
      if (request.method !== "POST") {
        if (sessionId === null) return modern.fetch(request)
        const session = sessions.get(sessionId)
        if (session === undefined) return jsonRpcErrorResponse(404, -32001, "Session not found")
        return session.transport.handleRequest(request)
      }

      if (!isJsonContentType(request.headers.get("content-type"))) {
        return jsonRpcErrorResponse(415, -32600, "Unsupported Media Type: Content-Type must be application/json")
      }
      const read = await readRequestBody(request, maxBodyBytes)
      if (read.tooLarge) {
        return jsonRpcErrorResponse(413, -32600, `Request body too large: the limit is ${maxBodyBytes} bytes`)
      }
      let body: unknown
      try {
        body = JSON.parse(read.text)
      } catch {
        return jsonRpcErrorResponse(400, -32700, "Parse error: the request body is not valid JSON")
      }

      if (sessionId !== null) {
        const session = sessions.get(sessionId)
        if (session === undefined) return jsonRpcErrorResponse(404, -32001, "Session not found")
        return session.transport.handleRequest(request, { parsedBody: body })
      }
      if (!(await isLegacyRequest(request, body, { maxRequestBodySize: maxBodyBytes }))) {
        return modern.fetch(request, { parsedBody: body })
      }
      if (isInitializeRequest(body)) return openSession(request, body)
      return stateless(request, { parsedBody: body })
    }

    return { fetch, openSessions: () => sessions.size }
  })
