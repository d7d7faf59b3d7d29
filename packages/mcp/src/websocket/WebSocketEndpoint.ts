/**
 * MCP over WebSocket on the MCP path (`ws://host/mcp`, the Streamable HTTP endpoint, as the draft SEP-1288 asks), off
 * unless enabled. The upgrade request passes the same edge as an HTTP request: a repeated Host or Authorization, a
 * foreign Host or Origin, a missing `mcp` subprotocol, a full house and a refused credential are answered with the
 * HTTP status they get on `/mcp` (and logged and audited as they are there), before any WebSocket exists. The
 * credential is the upgrade request's (an API key or a bearer token in `Authorization`, HMAC headers where a client
 * can sign); a client that cannot set headers (the browser `WebSocket`, the official SDK v1 client) puts the token in
 * the `access_token` query parameter (RFC 6750 §2.3). One connection is one session of one principal, served as
 * stdio is (see `Connection.ts`) over the limits of `WebSocketTransport`.
 *
 * Shutdown: no new connections; each open one is closed with 1001 (going away) once its requests are answered, and
 * whatever is still open when the endpoint's scope closes is closed then.
 */
import type { IncomingMessage } from "node:http"
import { STATUS_CODES } from "node:http"
import type { Duplex } from "node:stream"
import type { Authentication, Principal } from "@bulwark/core"
import { Effect, Metric, type Scope } from "effect"
import { WebSocketServer } from "ws"
import type { ServerFactory } from "../bridge/ServerFactory.ts"
import * as Connection from "../connection/Connection.ts"
import * as EdgeJournal from "../http/EdgeJournal.ts"
import { type EdgeRefused, isEdgeRefused } from "../http/EdgeRefused.ts"
import { checkNodeRequest } from "../http/HostCheck.ts"
import { describeHeaders, flatHeaders, single } from "../http/node/nodeHeaders.ts"
import { type Answer, jsonRpcError } from "../http/responses.ts"
import type { ClientSinksShape } from "../notify/ClientSinks.ts"
import { defaultLimits, type WebSocketLimits, WebSocketTransport } from "./WebSocketTransport.ts"

/** The subprotocol SEP-1288 and the SDK v1 client speak. */
export const SUBPROTOCOL = "mcp"

/** `bulwark_websocket_connections`: WebSocket connections open now. */
export const connections: Metric.Gauge<number> = Metric.gauge("bulwark_websocket_connections", {
  description: "MCP WebSocket connections open now"
})

/** How many connections, and each one's limits. */
export interface WebSocketOptions extends Partial<WebSocketLimits> {
  /** Connections open at once; past it an upgrade is answered 503 with Retry-After. */
  readonly maxConnections?: number
}

/** What the endpoint builds the WebSocket side from. */
export interface WebSocketDependencies {
  readonly options: WebSocketOptions
  readonly allowedHosts: ReadonlyArray<string>
  readonly allowedOrigins: ReadonlyArray<string>
  /** The largest message in bytes (a bigger frame closes the connection with 1009). */
  readonly maxMessageBytes: number
  readonly factory: ServerFactory
  readonly sinks: ClientSinksShape
  readonly journal: EdgeJournal.EdgeJournal
  readonly authenticate: (credentials: Authentication.Credentials) => Effect.Effect<Principal | EdgeRefused | undefined>
  readonly clientAddressOf: (peer: string | undefined, forwardedFor: string | undefined) => string | undefined
  readonly runPromise: <A>(effect: Effect.Effect<A>) => Promise<A>
  readonly onError: (error: Error) => void
}

/** The WebSocket side of the endpoint. */
export interface WebSocketEndpoint {
  /** Serves Node's `upgrade` event for the MCP path. */
  readonly upgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => void
  /** Shutdown begins: no new connections; open ones close (1001) once their requests are answered. */
  readonly drain: () => void
}

/** Writes an HTTP answer on a socket that was to be upgraded, and closes it. */
const writeAnswer = (socket: Duplex, answer: Answer): void => {
  const headers = { ...answer.headers, "content-length": String(Buffer.byteLength(answer.body)), connection: "close" }
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("")
  socket.end(`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ""}\r\n${head}\r\n${answer.body}`)
}

/** The credentials of an upgrade request: its headers, with a query `access_token` as a bearer token. */
const credentialsOf = (request: IncomingMessage, clientAddress: string | undefined): Authentication.Credentials => {
  const url = new URL(request.url ?? "/", "http://upgrade")
  const given = flatHeaders(request.headers)
  const token = url.searchParams.get("access_token")
  const headers =
    token !== null && given.authorization === undefined ? { ...given, authorization: `Bearer ${token}` } : given
  return {
    transport: "websocket",
    method: "GET",
    path: url.pathname,
    headers,
    body: "",
    ...(clientAddress === undefined ? {} : { clientAddress })
  }
}

/** Builds the WebSocket side; open connections are closed with its scope. */
export const make = (deps: WebSocketDependencies): Effect.Effect<WebSocketEndpoint, never, Scope.Scope> =>
  Effect.gen(function* () {
    const limits: WebSocketLimits = { ...defaultLimits, ...deps.options }
    const maxConnections = deps.options.maxConnections ?? 1000
    const transports = new Set<WebSocketTransport>()
    let draining = false
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: deps.maxMessageBytes,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false)
    })
    yield* Metric.modify(connections, 0)
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        for (const transport of transports) transport.goAway()
        wss.close()
      })
    )

    const refuse = (
      request: IncomingMessage,
      socket: Duplex,
      startedAt: number,
      answer: Answer,
      reason: string,
      refusedBy: string
    ) => {
      writeAnswer(socket, answer)
      void deps.runPromise(
        deps.journal.end({
          method: "GET",
          described: describeHeaders(request),
          status: answer.status,
          startedAt,
          errorCode: answer.status === 400 ? -32600 : -32000,
          reason,
          refusedBy
        })
      )
    }

    const accept = (request: IncomingMessage, socket: Duplex, head: Buffer, principal: Principal | undefined) =>
      wss.handleUpgrade(request, socket, head, (ws) => {
        const transport = new WebSocketTransport(ws, limits)
        transports.add(transport)
        void deps.runPromise(Metric.modify(connections, 1))
        const connection = Connection.open({
          factory: deps.factory,
          sinks: deps.sinks,
          principal,
          transport,
          onError: deps.onError
        })
        if (draining) transport.drain()
        const tenantId = principal?.tenantId ?? ""
        void deps.runPromise(Effect.logInfo("WebSocket connection opened").pipe(Effect.annotateLogs({ tenantId })))
        ws.once("close", (code, reason) => {
          transports.delete(transport)
          void connection.close()
          // The server's own reason when it closed the connection, else what the client said.
          const by = transport.closedWith
          void deps.runPromise(
            Effect.andThen(
              Metric.modify(connections, -1),
              Effect.logInfo("WebSocket connection closed").pipe(
                Effect.annotateLogs({
                  tenantId,
                  closedBy: by === undefined ? "client" : "server",
                  closeCode: by?.code ?? code,
                  closeReason: by?.reason ?? reason.toString()
                })
              )
            )
          )
        })
      })

    const upgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
      const startedAt = performance.now()
      socket.on("error", () => socket.destroy())
      if (draining) {
        refuse(request, socket, startedAt, shuttingDown, "shutting down", "admission")
        return
      }
      const foreign = checkNodeRequest(request, deps.allowedHosts, deps.allowedOrigins)
      if (foreign !== undefined) {
        refuse(request, socket, startedAt, foreign.answer, foreign.reason, foreign.refusedBy)
        return
      }
      const offered = (single(request.headers["sec-websocket-protocol"]) ?? "").split(",").map((p) => p.trim())
      if (!offered.includes(SUBPROTOCOL)) {
        refuse(request, socket, startedAt, noSubprotocol, "no mcp subprotocol", "protocol")
        return
      }
      if (transports.size >= maxConnections) {
        refuse(request, socket, startedAt, full, "too many WebSocket connections", "admission")
        return
      }
      const clientAddress = deps.clientAddressOf(
        request.socket.remoteAddress,
        single(request.headers["x-forwarded-for"])
      )
      deps
        .runPromise(deps.authenticate(credentialsOf(request, clientAddress)))
        .then(async (authenticated) => {
          if (!isEdgeRefused(authenticated)) {
            if (!socket.destroyed) accept(request, socket, head, authenticated)
            return
          }
          const response = authenticated.response
          writeAnswer(socket, {
            status: response.status,
            headers: Object.fromEntries(response.headers),
            body: await response.text()
          })
          const ended = { method: "GET", described: describeHeaders(request), status: response.status, startedAt }
          await deps.runPromise(EdgeJournal.endRefused(deps.journal, ended, authenticated, clientAddress))
        })
        .catch((error: unknown) => {
          // Authentication does not fail (a refusal is a value); a defect leaves no socket half-open.
          socket.destroy()
          deps.onError(error instanceof Error ? error : new Error(String(error)))
        })
    }

    return {
      upgrade,
      drain: () => {
        draining = true
        for (const transport of transports) transport.drain()
      }
    }
  })

const shuttingDown: Answer = jsonRpcError(503, -32000, "The server is shutting down; connect to another instance", {
  "retry-after": "1"
})
const full: Answer = jsonRpcError(503, -32000, "Too many WebSocket connections; retry later", { "retry-after": "1" })
const noSubprotocol: Answer = jsonRpcError(
  400,
  -32600,
  `Bad Request: a WebSocket upgrade must offer the "${SUBPROTOCOL}" subprotocol (Sec-WebSocket-Protocol: ${SUBPROTOCOL})`
)
