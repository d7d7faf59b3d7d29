/**
 * The MCP endpoint over Streamable HTTP: Host/Origin checks and a body-size limit, the request's span, then
 * authentication through core's `Authentication` port (before any MCP work: a refusal is answered as the port says
 * and accounted for), then the 2026-07-28 stateless path, 2025-era sessions for clients that open one with
 * `initialize`, and stateless 2025-era requests otherwise. The body is read and parsed once. Every exchange the
 * pipeline does not serve (a refusal, what the SDK answers itself) is logged and audited through the `EdgeJournal`.
 *
 * The span is opened before authentication, so that authentication is part of the request's one trace: it joins
 * the caller's trace from `_meta.traceparent` (MCP's way) or the `traceparent` header, and the pipeline adopts it as
 * the request's span. It ends when the response has been sent.
 */
import {
  AccessLog,
  type AccessLogConfig,
  Admission,
  Authentication,
  EdgeExchanges,
  makeRequestId,
  Pipeline,
  type Principal,
  servingContext
} from "@bulwark/core"
import {
  type AuthInfo,
  createMcpHandler,
  DEFAULT_MAX_REQUEST_BODY_SIZE,
  isInitializeRequest,
  isJsonContentType,
  isLegacyRequest,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  readRequestBody
} from "@modelcontextprotocol/server"
import { Cause, Clock, Context, Duration, Effect, Exit, Fiber, Option, type Scope, type Tracer } from "effect"
import { makeRequestStateSeal } from "../bridge/RequestStateSeal.ts"
import { makeServerFactory, type ServerIdentity, serverInfo } from "../bridge/ServerFactory.ts"
import type { EdgeContext } from "../bridge/toMcpRequest.ts"
import { ClientSinks } from "../notify/ClientSinks.ts"
import * as TenantEventBus from "../notify/TenantEventBus.ts"
import * as WebSocketEndpoint from "../websocket/WebSocketEndpoint.ts"
import * as ClientAddress from "./ClientAddress.ts"
import { type Described, describeRequest } from "./describeRequest.ts"
import * as EdgeHints from "./EdgeHints.ts"
import * as EdgeJournal from "./EdgeJournal.ts"
import { type EdgeRefused, isEdgeRefused } from "./EdgeRefused.ts"
import { checkHostAndOrigin } from "./HostCheck.ts"
import * as LegacySessions from "./LegacySessions.ts"
import {
  type ClientErrorHandler,
  makeClientErrorHandler,
  makeNodeGuard,
  makeNodeHandler,
  type NodeEndpoint,
  type NodeGuard,
  type NodeHandler,
  overloadedAnswer,
  shed
} from "./node/NodeHandler.ts"
import { callerTrace, endWhenSent } from "./RequestSpan.ts"
import { bodyTooLarge, internalError, jsonRpcErrorResponse, toWebResponse, withErrorCode } from "./responses.ts"
import { serveStatelessLegacy } from "./statelessLegacy.ts"

/** How long exchanges still running at shutdown (past the HTTP server's grace) may take before they are cut. */
const DRAIN_TIMEOUT = Duration.seconds(1)

/** JSON-RPC batching was removed in 2025-06-18; a batch that names this revision or a later one is refused. */
const FIRST_REVISION_WITHOUT_BATCHES = "2025-06-18"

/** How the MCP endpoint protects itself and its sessions. */
export interface EndpointOptions extends ServerIdentity {
  /** Host names (no port) the `Host` header may name; defaults to localhost names. DNS-rebinding protection. */
  readonly allowedHosts?: ReadonlyArray<string>
  /** Origin host names a browser may call from; defaults to localhost names. Requests without Origin pass. */
  readonly allowedOrigins?: ReadonlyArray<string>
  /** Largest accepted request body in bytes (413 above it). */
  readonly maxBodyBytes?: number
  readonly sessions?: Partial<LegacySessions.SessionLimits>
  /** Which exchanges get an access-log line (the pipeline's setting, for the exchanges it does not see). */
  readonly accessLog?: AccessLogConfig
  /**
   * Reverse proxies (their addresses) whose `X-Forwarded-For` names the client; none by default, and then the header
   * is ignored. Failed logins are counted per client address.
   */
  readonly trustedProxies?: ReadonlyArray<string>
  /** MCP over WebSocket on the endpoint's path, with these limits; off when absent. */
  readonly websocket?: WebSocketEndpoint.WebSocketOptions
}

/** The MCP endpoint. */
export interface McpEndpoint {
  /**
   * Serves one HTTP request in the calling fiber (the HTTP route runs it in the request's own fiber); the client's
   * address, when the transport knows it, throttles failed authentication by address.
   */
  readonly handle: (request: Request, clientAddress?: string) => Effect.Effect<Response>
  /** The same as a web-standard handler, for in-process clients (`fetch: endpoint.fetch`). */
  readonly fetch: (request: Request) => Promise<Response>
  /**
   * Serves a request on the endpoint's path from Node's own request and response: the fast path where it applies,
   * the SDK path otherwise; `next` hands it to the HTTP router (see `NodeHandler.ts`).
   */
  readonly node: NodeHandler
  /**
   * Refuses a Node request on any route of the listener whose `Host` or `Origin` is refused, as the endpoint does
   * (`McpNodeServer` runs it before every route: `/metrics` and the health checks as well as the MCP path).
   */
  readonly guard: NodeGuard
  /** Answers requests Node's HTTP parser refuses with a JSON-RPC error body, and accounts for them. */
  readonly clientError: ClientErrorHandler
  /**
   * Counts a connection the listener accepted for load shedding (see `LoopPressure.accept`): `McpNodeServer` calls it
   * on every `connection`.
   */
  readonly connected: () => void
  /** Open 2025-era sessions (for metrics and tests). */
  readonly openSessions: () => number
  /** MCP over WebSocket (`upgrade` on the endpoint's path), when enabled. */
  readonly websocket?: WebSocketEndpoint.WebSocketEndpoint
}

/** Nothing is recalled without the port (or from a port that keeps nothing): `authenticate` decides. */
const recallNothing = () => undefined

/** What the fast path asks the authentication port first (see `Authentication.recall`). */
const recallOf = (
  authentication: Option.Option<Authentication.AuthenticationShape>
): NonNullable<Authentication.AuthenticationShape["recall"]> =>
  Option.isNone(authentication) ? recallNothing : (authentication.value.recall ?? recallNothing)

/** Builds the endpoint; sessions and the SDK's handler are closed with its scope. */
export const makeEndpoint = (
  options: EndpointOptions
): Effect.Effect<McpEndpoint, never, Pipeline.Pipeline | ClientSinks | Scope.Scope> =>
  Effect.gen(function* () {
    const seal = makeRequestStateSeal(options.requestStateKey)
    const factory = yield* makeServerFactory(options, { seal })
    const pipeline = yield* Pipeline.Pipeline
    const sinks = yield* ClientSinks
    const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_REQUEST_BODY_SIZE
    const allowedHosts = [...(options.allowedHosts ?? localhostAllowedHostnames())]
    const allowedOrigins = [...(options.allowedOrigins ?? localhostAllowedOrigins())]
    // Requests are served from it: room for what each request adds (see `servingContext`).
    const services = servingContext(yield* Effect.context<never>())
    // Log through the composition's logger (level, format, annotations), not the default runtime's.
    const runLog = Effect.runForkWith(services)
    const onerror = (error: Error) => runLog(Effect.logDebug("MCP transport reported", error.message))

    // Subscription streams belong to the tenant whose request opened them (see `TenantEventBus.ts`).
    const bus = TenantEventBus.make(onerror)
    const modern = createMcpHandler((context) => factory(context), {
      legacy: "reject",
      maxRequestBodySize: maxBodyBytes,
      onerror,
      bus
    })
    yield* sinks.register({
      toolsChanged: () => modern.notify.toolsChanged(),
      resourcesChanged: () => modern.notify.resourcesChanged(),
      promptsChanged: () => modern.notify.promptsChanged(),
      resourceUpdated: (uri, tenantId) => bus.publishFor(tenantId, { kind: "resource_updated", uri })
    })
    yield* Effect.addFinalizer(() => Effect.promise(() => modern.close()))

    const sessions = yield* LegacySessions.make(
      {
        maxSessions: options.sessions?.maxSessions ?? 1000,
        idleTimeoutMs: options.sessions?.idleTimeoutMs ?? 30 * 60_000
      },
      {
        server: (hooks, principal) => factory({ era: "legacy" }, hooks, principal),
        addSink: sinks.add,
        maxBodyBytes
      }
    )

    const authentication = Context.getOption(services, Authentication.Authentication)
    const exchanges = Context.getOption(services, EdgeExchanges)
    const accessLog = options.accessLog ?? AccessLog.everything
    const journal = yield* EdgeJournal.make(accessLog, Option.getOrUndefined(exchanges)?.record)

    /** The principal, a refusal to send as is (the caller accounts for it), or undefined without authentication. */
    const authenticate = (
      credentials: Authentication.Credentials
    ): Effect.Effect<Principal | EdgeRefused | undefined> =>
      Option.isNone(authentication)
        ? Effect.succeed(undefined)
        : authentication.value.authenticate(credentials).pipe(
            Effect.catchTag("AuthenticationRefused", (refused) =>
              Effect.succeed<EdgeRefused>({
                response: new Response(refused.body, { status: refused.status, headers: { ...refused.headers } }),
                reason: refused.reason,
                ...(refused.claimed === undefined ? {} : { claimed: refused.claimed }),
                ...(refused.throttled === true ? { throttled: true } : {})
              })
            )
          )

    /** Serves an authenticated (or unauthenticated, without the port) request on the route it belongs to. */
    const route = Effect.fnUntraced(function* (
      request: Request,
      body: unknown,
      principal: Principal | undefined,
      span: Tracer.Span | undefined,
      edge: EdgeHints.EdgeHints,
      settled?: EdgeContext["settled"]
    ): Effect.fn.Return<Response, never, Scope.Scope> {
      const extra: EdgeContext = settled === undefined ? { principal, edge, span } : { principal, edge, span, settled }
      const authInfo: AuthInfo = {
        token: "",
        clientId: principal?.subject ?? "anonymous",
        scopes: [...(principal?.scopes ?? [])],
        extra: extra as unknown as Record<string, unknown>
      }
      const sessionId = request.headers.get("mcp-session-id")
      if (request.method !== "POST") {
        if (sessionId === null) {
          return yield* Effect.promise(() =>
            bus.withTenant(principal?.tenantId, () => modern.fetch(request, { authInfo }))
          )
        }
        const session = yield* sessions.find(sessionId, principal)
        if (Option.isNone(session)) return jsonRpcErrorResponse(404, -32001, "Session not found")
        return yield* Effect.promise(() => session.value.transport.handleRequest(request, { authInfo }))
      }
      let response: Response
      if (sessionId !== null) {
        const session = yield* sessions.find(sessionId, principal)
        if (Option.isNone(session)) return jsonRpcErrorResponse(404, -32001, "Session not found")
        response = yield* Effect.promise(() =>
          session.value.transport.handleRequest(request, { parsedBody: body, authInfo })
        )
      } else if (!(yield* Effect.promise(() => isLegacyRequest(request, body, { maxRequestBodySize: maxBodyBytes })))) {
        response = yield* Effect.promise(() =>
          bus.withTenant(principal?.tenantId, () => modern.fetch(request, { parsedBody: body, authInfo }))
        )
      } else if (isInitializeRequest(body)) {
        response = yield* sessions.open(
          principal,
          (session) => session.transport.handleRequest(request, { parsedBody: body, authInfo }),
          () => jsonRpcErrorResponse(503, -32000, "Too many open sessions; retry later")
        )
      } else {
        response = yield* Effect.promise(() =>
          serveStatelessLegacy(factory({ era: "legacy" }, undefined, principal), request, body, {
            maxBodyBytes,
            authInfo
          })
        )
      }
      return EdgeHints.apply(response, edge)
    })

    /** Accounts for an exchange the pipeline did not serve (see `EdgeJournal.ts`), and hands its response on. */
    const answered = (
      request: Request,
      described: Described,
      startedAt: number,
      response: Response,
      refusal?: EdgeRefused,
      traceId?: string,
      clientAddress?: string
    ): Effect.Effect<Response> =>
      Effect.flatMap(withErrorCode(response), ([sent, errorCode]) => {
        const ended: EdgeJournal.EndedExchange = {
          method: request.method,
          described,
          status: sent.status,
          startedAt,
          ...(errorCode === undefined ? {} : { errorCode }),
          ...(traceId === undefined ? {} : { traceId })
        }
        return Effect.as(
          refusal === undefined ? journal.end(ended) : EdgeJournal.endRefused(journal, ended, refusal, clientAddress),
          sent
        )
      })

    const clientAddressOf = ClientAddress.make(options.trustedProxies ?? [])

    const serve = Effect.fnUntraced(function* (request: Request, peer?: string): Effect.fn.Return<Response> {
      const clientAddress = clientAddressOf(peer, request.headers.get("x-forwarded-for") ?? undefined)
      const startedAt = performance.now()
      const refuse = (response: Response, reason: string, refusedBy: string) =>
        answered(request, describeRequest(request.headers, undefined), startedAt, response, {
          response,
          reason,
          refusedBy
        })
      // In-process requests carry no Host header (it is a forbidden header for web Requests): use the URL's.
      const foreign = checkHostAndOrigin(
        request.headers.get("host") ?? new URL(request.url).host,
        request.headers.get("origin") ?? undefined,
        allowedHosts,
        allowedOrigins
      )
      if (foreign !== undefined) return yield* refuse(toWebResponse(foreign.answer), foreign.reason, foreign.refusedBy)

      let text = ""
      let body: unknown
      let parsed = true
      if (request.method === "POST") {
        if (!isJsonContentType(request.headers.get("content-type"))) {
          return yield* refuse(
            jsonRpcErrorResponse(415, -32600, "Unsupported Media Type: Content-Type must be application/json"),
            "not JSON",
            "content-type"
          )
        }
        const read = yield* Effect.promise(() => readRequestBody(request, maxBodyBytes))
        if (read.tooLarge) {
          return yield* refuse(toWebResponse(bodyTooLarge(maxBodyBytes)), "body too large", "body-size")
        }
        text = read.text
        try {
          body = JSON.parse(text)
        } catch {
          parsed = false
        }
      }

      const described = describeRequest(request.headers, parsed ? body : undefined)
      const parent = callerTrace((name) => request.headers.get(name), described)
      const span = yield* Effect.makeSpan(`mcp ${described.method ?? request.method}`, {
        kind: "server",
        ...(Option.isSome(parent) ? { parent: parent.value } : {}),
        attributes: { "http.request.method": request.method }
      })
      const serve = Effect.gen(function* () {
        // Authentication comes before answering anything about the body: an unauthenticated caller learns
        // nothing, not even whether its JSON was valid.
        const principal = yield* authenticate(Authentication.fromWebRequest(request, text, clientAddress))
        if (isEdgeRefused(principal)) {
          return yield* answered(
            request,
            described,
            startedAt,
            principal.response,
            principal,
            span.traceId,
            clientAddress
          )
        }
        if (!parsed) {
          const response = jsonRpcErrorResponse(400, -32700, "Parse error: the request body is not valid JSON")
          return yield* answered(request, described, startedAt, response, undefined, span.traceId)
        }
        const version = request.headers.get("mcp-protocol-version")
        if (Array.isArray(body) && version !== null && version >= FIRST_REVISION_WITHOUT_BATCHES) {
          const response = jsonRpcErrorResponse(
            400,
            -32600,
            `Invalid Request: protocol revision ${version} does not support JSON-RPC batches; send one message per request`
          )
          return yield* answered(request, described, startedAt, response, undefined, span.traceId)
        }
        // A span is handed to the pipeline only when the exchange carries exactly one request.
        const edge = EdgeHints.make()
        const response = yield* Effect.scoped(
          route(request, body, principal, described.single ? span : undefined, edge)
        )
        return edge.piped ? response : yield* answered(request, described, startedAt, response, undefined, span.traceId)
      }).pipe(Effect.withParentSpan(span, { captureStackTrace: false }))
      const clock = yield* Clock.Clock
      return yield* serve.pipe(
        Effect.catchCause((cause) =>
          Cause.hasInterruptsOnly(cause)
            ? Effect.failCause(cause)
            : Effect.suspend(() => {
                const requestId = makeRequestId()
                return Effect.logError("the MCP endpoint failed unexpectedly", cause).pipe(
                  Effect.annotateLogs({ requestId }),
                  Effect.andThen(
                    journal.end({
                      method: request.method,
                      described,
                      status: 500,
                      startedAt,
                      errorCode: -32603,
                      requestId,
                      traceId: span.traceId
                    })
                  ),
                  Effect.as(toWebResponse(internalError(requestId)))
                )
              })
        ),
        Effect.onInterrupt(() => Effect.sync(() => span.end(clock.currentTimeNanosUnsafe(), Exit.interrupt()))),
        Effect.map((response) => endWhenSent(span, clock, response))
      )
    })

    // POSTs carry requests: they are admitted (load shedding); GET and DELETE open and close streams and sessions.
    const admission = Option.getOrElse(Context.getOption(services, Admission.Admission), () => Admission.unlimited)
    const handle = (request: Request, clientAddress?: string): Effect.Effect<Response> =>
      request.method !== "POST"
        ? serve(request, clientAddress)
        : admission.admit(serve(request, clientAddress)).pipe(
            Effect.catchTag("Overloaded", (overloaded) =>
              Effect.sync(() => {
                shed(journal, "POST", describeRequest(request.headers, undefined), performance.now())
                return toWebResponse(overloadedAnswer(overloaded))
              })
            )
          )

    const runPromise = Effect.runPromiseWith(services)
    const inFlight = new Set<Fiber.Fiber<unknown>>()
    const nodeEndpoint: NodeEndpoint = {
      allowedHosts,
      allowedOrigins,
      maxBodyBytes,
      serve,
      admission,
      run: Effect.runForkWith(services),
      journal,
      inFlight,
      clientAddressOf,
      fast: {
        pipeline,
        server: serverInfo(options),
        seal,
        authenticate,
        recall: recallOf(authentication),
        journal,
        settle: (request, body, principal, settled) =>
          route(request, body, principal, undefined, EdgeHints.make(), settled)
      }
    }
    // Shutdown: the HTTP server has stopped taking requests and waited for the answers in flight; what still runs
    // gets a moment to finish, then is interrupted (and audited as cancelled) before the services under it close.
    yield* Effect.addFinalizer(() =>
      Effect.suspend(() =>
        inFlight.size === 0
          ? Effect.void
          : Fiber.awaitAll([...inFlight]).pipe(
              Effect.timeoutOrElse({ duration: DRAIN_TIMEOUT, orElse: () => Fiber.interruptAll([...inFlight]) }),
              Effect.asVoid
            )
      )
    )
    // MCP over WebSocket, when enabled: connections served as stdio's are, admitted as HTTP requests are.
    const websocket =
      options.websocket === undefined
        ? undefined
        : yield* WebSocketEndpoint.make({
            options: options.websocket,
            allowedHosts,
            allowedOrigins,
            maxMessageBytes: maxBodyBytes,
            factory: yield* makeServerFactory(options, { admission }),
            sinks,
            journal,
            authenticate,
            clientAddressOf,
            runPromise,
            onError: onerror
          })
    return {
      handle,
      fetch: (request) => runPromise(handle(request), { signal: request.signal }),
      node: makeNodeHandler(nodeEndpoint),
      guard: makeNodeGuard(nodeEndpoint),
      clientError: makeClientErrorHandler(nodeEndpoint),
      connected: admission.connected,
      openSessions: sessions.size,
      ...(websocket === undefined ? {} : { websocket })
    }
  })
