/**
 * The SDK's `Transport` over one WebSocket, as the draft SEP-1288 and the official SDK v1's `WebSocketClientTransport`
 * speak it: one JSON-RPC message per UTF-8 text frame, both directions. It also keeps the connection within the
 * limits a server needs:
 *
 * - a binary frame closes the connection with 1003 (SEP-1288); a frame that is not JSON-RPC is answered with a
 *   parse error and the connection stays (as stdio does);
 * - at most `maxInFlight` of the client's requests run at once: one past it is answered at once with a JSON-RPC
 *   error, never queued (a cancelled request frees its place);
 * - back-pressure: while more than `highWaterBytes` wait to be sent to a client that does not read, the connection's
 *   incoming frames are paused; past `maxBufferedBytes` it is closed with 1008;
 * - a ping every `pingIntervalMs`: a peer that has not answered the previous one is gone and its socket is dropped;
 *   no message from the client for `idleTimeoutMs` closes the connection with 1000.
 *
 * Oversized frames never reach it: the socket's `maxPayload` closes the connection with 1009 first.
 */
import type { JSONRPCMessage, Transport } from "@modelcontextprotocol/server"
import { WebSocket } from "ws"

/** The close codes this transport uses (RFC 6455 §7.4.1). */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  unsupportedData: 1003,
  policyViolation: 1008,
  tooBig: 1009,
  internalError: 1011
} as const

/** The limits of one connection. */
export interface WebSocketLimits {
  readonly maxInFlight: number
  readonly idleTimeoutMs: number
  readonly pingIntervalMs: number
  readonly highWaterBytes: number
  readonly maxBufferedBytes: number
}

/** The defaults: 32 requests at once, 30 minutes idle, a ping every 30 s, pause at 1 MiB, close at 8 MiB. */
export const defaultLimits: WebSocketLimits = {
  maxInFlight: 32,
  idleTimeoutMs: 30 * 60_000,
  pingIntervalMs: 30_000,
  highWaterBytes: 1_048_576,
  maxBufferedBytes: 8 * 1_048_576
}

type Id = string | number

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const errorMessage = (id: Id | null, code: number, message: string): JSONRPCMessage =>
  ({ jsonrpc: "2.0", id, error: { code, message } }) as JSONRPCMessage

/** One WebSocket as an MCP transport. */
export class WebSocketTransport implements Transport {
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: (message: JSONRPCMessage) => void

  readonly #socket: WebSocket
  readonly #limits: WebSocketLimits
  /** The client's requests running now, by id. */
  readonly #inFlight = new Set<Id>()
  #draining = false
  #closed = false
  #lastMessageAt = Date.now()
  #awaitingPong = false
  #timers: Array<NodeJS.Timeout> = []
  #paused = false
  #closedWith: { readonly code: number; readonly reason: string } | undefined
  /** Called when the connection has no request left running (after `drain`). */
  #onIdle: (() => void) | undefined

  constructor(socket: WebSocket, limits: WebSocketLimits = defaultLimits) {
    this.#socket = socket
    this.#limits = limits
  }

  /** Why the server closed the connection, when it did (for the connection's log line). */
  get closedWith(): { readonly code: number; readonly reason: string } | undefined {
    return this.#closedWith
  }

  async start(): Promise<void> {
    const socket = this.#socket
    socket.on("message", (data, isBinary) => this.#receive(data, isBinary))
    socket.on("pong", () => {
      this.#awaitingPong = false
    })
    socket.on("error", (error) => this.onerror?.(error))
    socket.once("close", () => this.#ended())
    const ping = setInterval(
      () => {
        if (this.#awaitingPong) {
          socket.terminate()
          return
        }
        if (Date.now() - this.#lastMessageAt >= this.#limits.idleTimeoutMs) {
          this.#close(CloseCode.normal, "idle timeout")
          return
        }
        this.#awaitingPong = true
        socket.ping()
      },
      Math.min(this.#limits.pingIntervalMs, this.#limits.idleTimeoutMs)
    )
    ping.unref()
    this.#timers.push(ping)
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.#closed || this.#socket.readyState !== WebSocket.OPEN) return
    const answered = isObject(message) && !("method" in message) && "id" in message ? (message.id as Id) : undefined
    this.#socket.send(JSON.stringify(message))
    if (answered !== undefined && this.#inFlight.delete(answered)) this.#checkIdle()
    this.#backPressure()
  }

  async close(): Promise<void> {
    this.#close(CloseCode.normal, "")
  }

  /**
   * Stops taking requests (one that still comes is answered with an error) and closes the connection with
   * `going away` once the requests running now have been answered.
   */
  drain(): void {
    this.#draining = true
    this.#onIdle = () => this.#close(CloseCode.goingAway, "server shutting down")
    this.#checkIdle()
  }

  /** Closes at once with `going away` (shutdown's grace is over). */
  goAway(): void {
    this.#close(CloseCode.goingAway, "server shutting down")
  }

  #checkIdle(): void {
    if (this.#inFlight.size === 0) this.#onIdle?.()
  }

  #receive(data: WebSocket.RawData, isBinary: boolean): void {
    this.#lastMessageAt = Date.now()
    if (isBinary) {
      this.#close(CloseCode.unsupportedData, "binary frames are not supported: send JSON-RPC as text")
      return
    }
    let message: unknown
    try {
      message = JSON.parse(data.toString())
    } catch {
      void this.send(errorMessage(null, -32700, "Parse error: a frame must hold one JSON-RPC message"))
      return
    }
    if (!isObject(message) || message.jsonrpc !== "2.0") {
      void this.send(errorMessage(null, -32600, "Invalid Request: a frame must hold one JSON-RPC 2.0 message"))
      return
    }
    const id = message.id
    const isRequest = typeof message.method === "string" && (typeof id === "string" || typeof id === "number")
    if (isRequest) {
      if (this.#draining) {
        void this.send(errorMessage(id, -32000, "The server is shutting down; reconnect"))
        return
      }
      if (this.#inFlight.size >= this.#limits.maxInFlight || this.#inFlight.has(id)) {
        const why = this.#inFlight.has(id)
          ? `Request id ${JSON.stringify(id)} is already in use on this connection`
          : `Too many requests in flight on this connection (at most ${this.#limits.maxInFlight}); wait for answers`
        void this.send(errorMessage(id, -32000, why))
        return
      }
      this.#inFlight.add(id)
    } else if (message.method === "notifications/cancelled" && isObject(message.params)) {
      // A cancelled request is not answered: its place is free now.
      const cancelled = message.params.requestId
      if ((typeof cancelled === "string" || typeof cancelled === "number") && this.#inFlight.delete(cancelled)) {
        queueMicrotask(() => this.#checkIdle())
      }
    }
    this.onmessage?.(message as JSONRPCMessage)
  }

  /** Pauses reading while the client is not reading; closes the connection when it falls too far behind. */
  #backPressure(): void {
    const buffered = this.#socket.bufferedAmount
    if (buffered > this.#limits.maxBufferedBytes) {
      this.#close(CloseCode.policyViolation, "the client is not reading its messages")
      return
    }
    if (buffered <= this.#limits.highWaterBytes || this.#paused) return
    this.#paused = true
    this.#socket.pause()
    const check = setInterval(() => {
      if (this.#closed) clearInterval(check)
      else if (this.#socket.bufferedAmount > this.#limits.maxBufferedBytes) {
        clearInterval(check)
        this.#close(CloseCode.policyViolation, "the client is not reading its messages")
      } else if (this.#socket.bufferedAmount <= this.#limits.highWaterBytes / 2) {
        clearInterval(check)
        this.#paused = false
        this.#socket.resume()
      }
    }, 20)
    check.unref()
    this.#timers.push(check)
  }

  #close(code: number, reason: string): void {
    if (this.#closed) return
    this.#closed = true
    this.#closedWith = { code, reason }
    const socket = this.#socket
    if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.close(code, reason)
    // A peer that does not answer the close handshake is dropped.
    const drop = setTimeout(() => socket.terminate(), 5_000)
    drop.unref()
    this.#timers.push(drop)
  }

  #ended(): void {
    this.#closed = true
    for (const timer of this.#timers) clearTimeout(timer)
    this.#inFlight.clear()
    this.onclose?.()
  }
}
