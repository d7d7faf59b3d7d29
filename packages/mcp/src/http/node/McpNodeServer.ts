/**
 * The HTTP server of an app that serves MCP: Node's `http.Server` on which requests to the MCP path reach the
 * endpoint's Node handler first (the fast path, see `NodeHandler.ts`), and everything else, including MCP requests
 * the fast path leaves alone, reaches the Effect HTTP router as usual. Mount `McpHttp.route(path)` on the router as
 * well: it serves what the handler hands on.
 *
 * Every request, on any route, first passes the endpoint's Host and Origin check (DNS-rebinding protection for
 * `/metrics` and the health checks too), and a request Node's parser refuses gets a JSON-RPC error body.
 *
 * On shutdown the server stops listening, closes idle connections, answers what is still asked on open ones with
 * `Connection: close`, ends the event streams that only wait for notifications (a 2025 session's GET stream, a
 * 2026 `subscriptions/listen`: they would otherwise hold the shutdown for its whole grace period; a client
 * reconnects, to another instance), and waits (up to `gracefulShutdownTimeout`) for the answers in flight; the endpoint then
 * waits for the exchanges it still runs before the services under it close. The server is `NodeHttpServer`'s
 * (listening, graceful shutdown, the platform services); only the dispatch of the `request` event (and of an
 * `upgrade` on the MCP path, when the endpoint serves WebSocket) is added, in front of the router's listener.
 */
import { type IncomingMessage, Server, type ServerResponse } from "node:http"
import type { Duplex } from "node:stream"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Effect, Layer } from "effect"
import type { WebSocketEndpoint } from "../../websocket/WebSocketEndpoint.ts"
import { Endpoint } from "../Endpoint.ts"
import type { McpEndpoint } from "../McpEndpoint.ts"
import type { NodeGuard, NodeHandler } from "./NodeHandler.ts"

/** Where to listen, as `NodeHttpServer.layer` takes it, and the MCP path (default `/mcp`). */
export interface McpNodeServerOptions extends NodeHttpServer.Options {
  readonly path?: `/${string}`
}

/** The path of a request URL, without its query. */
const pathOf = (url: string | undefined): string => {
  if (url === undefined) return ""
  const query = url.indexOf("?")
  return query === -1 ? url : url.slice(0, query)
}

/** A request whose answer is an event stream that waits for notifications: it has no end of its own. */
const isListening = (request: IncomingMessage): boolean =>
  request.method === "GET" || request.headers["mcp-method"] === "subscriptions/listen"

/**
 * Ends a listening stream at shutdown: one already answering ends cleanly (its last chunk) and its connection
 * closes, as it was kept alive before `Connection: close` applied; one not answered yet says `Connection: close` and
 * ends as soon as its head is out.
 */
const endListening = (response: ServerResponse): void => {
  if (response.writableEnded) return
  if (!response.headersSent) {
    response.setHeader("connection", "close")
    setTimeout(() => endListening(response), 50).unref()
    return
  }
  response.end(() => response.socket?.end())
}

/**
 * Node's HTTP server with every request's Host and Origin checked, and the MCP path's going to `handler` first. Once
 * it is closing (shutdown), every response says `Connection: close`: a client on a kept-alive connection gets the
 * answer to the request it sent and then a closed connection, never a reset in the middle of a request.
 */
class McpServer extends Server {
  readonly #path: string
  readonly #handler: NodeHandler
  readonly #guard: NodeGuard
  #closing = false
  /** The open listening streams of the MCP path, ended on close. */
  readonly #listening = new Set<ServerResponse>()

  readonly #websocket: WebSocketEndpoint | undefined

  constructor(path: string, endpoint: McpEndpoint) {
    super()
    this.on("clientError", endpoint.clientError)
    this.on("connection", endpoint.connected)
    this.#path = path
    this.#handler = endpoint.node
    this.#guard = endpoint.guard
    this.#websocket = endpoint.websocket
  }

  override close(callback?: (error?: Error) => void): this {
    this.#closing = true
    super.close(callback)
    for (const response of this.#listening) endListening(response)
    this.#websocket?.drain()
    return this
  }

  override emit(event: string | symbol, ...args: Array<unknown>): boolean {
    if (event === "upgrade" && this.#websocket !== undefined) {
      const request = args[0] as IncomingMessage
      if (pathOf(request.url) === this.#path) {
        this.#websocket.upgrade(request, args[1] as Duplex, args[2] as Buffer)
        return true
      }
    }
    if (event !== "request") return super.emit(event as string, ...args)
    const request = args[0] as IncomingMessage
    const response = args[1] as ServerResponse
    if (this.#closing) response.setHeader("connection", "close")
    if (this.#guard(request, response)) return true
    if (pathOf(request.url) !== this.#path) return super.emit(event, ...args)
    if (isListening(request)) {
      if (this.#closing) endListening(response)
      else {
        this.#listening.add(response)
        response.once("close", () => this.#listening.delete(response))
      }
    }
    this.#handler(request, response, () => super.emit(event, ...args))
    return true
  }
}

/** The HTTP server (with `NodeHttpServer`'s platform services), serving the endpoint's fast path on `path`. */
export const layer = ({ path = "/mcp", ...options }: McpNodeServerOptions) =>
  Layer.unwrap(Effect.map(Endpoint, (endpoint) => NodeHttpServer.layer(() => new McpServer(path, endpoint), options)))
