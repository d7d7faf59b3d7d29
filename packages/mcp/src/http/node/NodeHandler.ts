/**
 * The MCP endpoint on Node's own request and response: the fast path for the requests it may serve, the SDK path
 * for the rest. A request goes to `next` (the HTTP router, which serves it exactly as it would without the fast path)
 * when its headers already rule the fast path out: not a POST, a session, not JSON, a refused Host or Origin. For the
 * others the body is read once, up to the endpoint's limit, and parsed; a fast route (see `FastRoute.ts`) is served
 * straight into the pipeline, anything else goes to the endpoint's SDK path as a web `Request` over the body already
 * read.
 *
 * Each exchange is admitted first (load shedding: at capacity it is answered 503 with `Retry-After` before its body
 * is read), then runs in a fiber of its own; when the client goes away before the answer is sent, the fiber is
 * interrupted and the request it carried is cancelled.
 */
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from "node:http"
import type { Duplex } from "node:stream"
import { Readable } from "node:stream"
import { pipeline as pipeStreams } from "node:stream/promises"
import type { ReadableStream as NodeReadableStream } from "node:stream/web"
import { Admission, type Authentication, makeRequestId, type Overloaded } from "@bulwark/core"
import { isJsonContentType } from "@modelcontextprotocol/server"
import { Cause, Effect, Exit, type Fiber } from "effect"
import type { Described } from "../describeRequest.ts"
import type { EdgeJournal } from "../EdgeJournal.ts"
import { fastRoute } from "../fast/FastRoute.ts"
import { type FastPath, serveFast } from "../fast/serveFast.ts"
import { checkNodeRequest } from "../HostCheck.ts"
import { type Answer, bodyTooLarge, internalError, jsonRpcError } from "../responses.ts"
import { describeHeaders, flatHeaders, single } from "./nodeHeaders.ts"
import { makeTurnWriter, writeAnswer } from "./TurnWriter.ts"

/** What the handler serves with: the endpoint's settings and its two paths. */
export interface NodeEndpoint {
  readonly allowedHosts: Array<string>
  readonly allowedOrigins: Array<string>
  readonly maxBodyBytes: number
  readonly fast: FastPath
  /** The endpoint's SDK path for a whole request (already admitted), with the client's address. */
  readonly serve: (request: Request, clientAddress?: string) => Effect.Effect<Response>
  /** Load shedding: every exchange is admitted before its body is read. */
  readonly admission: Admission.AdmissionShape
  /** Runs an exchange in a fiber of its own, with the endpoint's services. */
  readonly run: <A>(effect: Effect.Effect<A>) => Fiber.Fiber<A>
  /** Where exchanges refused here are logged and audited. */
  readonly journal: EdgeJournal
  /** The client's address from the connection's peer and `X-Forwarded-For` (see `ClientAddress.ts`). */
  readonly clientAddressOf: (peer: string | undefined, forwardedFor: string | undefined) => string | undefined
  /** The exchanges running now (each one's fiber, from start to answer), so that shutdown can wait for them. */
  readonly inFlight: Set<Fiber.Fiber<unknown>>
}

/** Serves one Node request on the MCP path, or hands it to `next`. */
export type NodeHandler = (request: IncomingMessage, response: ServerResponse, next: () => void) => void

/** Answers a request on any route whose `Host` or `Origin` is refused, and says whether it did. */
export type NodeGuard = (request: IncomingMessage, response: ServerResponse) => boolean

/** Writes a web response (JSON, or an event stream as it comes) to Node's response. */
const writeWebResponse = (response: ServerResponse, web: Response): Promise<void> => {
  const headers: Record<string, string | Array<string>> = {}
  web.headers.forEach((value, name) => {
    headers[name] = value
  })
  const cookies = web.headers.getSetCookie()
  if (cookies.length > 0) headers["set-cookie"] = cookies
  response.writeHead(web.status, headers)
  if (web.body === null) {
    response.end()
    return Promise.resolve()
  }
  return pipeStreams(Readable.fromWeb(web.body as NodeReadableStream), response).catch(() => undefined)
}

/** Counts a request refused because the server is at capacity (shedding comes in floods: see `EdgeJournal.ts`). */
export const shed = (journal: EdgeJournal, method: string, described: Described, startedAt: number): void =>
  journal.endRepeated("admission", undefined, {
    method,
    described,
    status: 503,
    startedAt,
    errorCode: Admission.OVERLOADED_CODE,
    reason: "the server is at capacity",
    refusedBy: "admission"
  })

/** The answer to a request refused because the server is at capacity. */
export const overloadedAnswer = (overloaded: Overloaded): Answer =>
  jsonRpcError(503, Admission.OVERLOADED_CODE, overloaded.message, {
    "retry-after": String(overloaded.retryAfterSeconds)
  })

/** Refuses a request on any route of the listener whose `Host` or `Origin` is refused (see `HostCheck.ts`). */
export const makeNodeGuard =
  (endpoint: NodeEndpoint): NodeGuard =>
  (request, response) => {
    const refusal = checkNodeRequest(request, endpoint.allowedHosts, endpoint.allowedOrigins)
    if (refusal === undefined) return false
    const startedAt = performance.now()
    request.resume()
    writeAnswer(response, refusal.answer)
    endpoint.run(
      endpoint.journal.end({
        method: request.method ?? "",
        described: describeHeaders(request),
        status: refusal.answer.status,
        startedAt,
        errorCode: refusal.answer.status === 400 ? -32600 : -32000,
        reason: refusal.reason,
        refusedBy: refusal.refusedBy
      })
    )
    return true
  }

/** Answers a request Node's HTTP parser refused (see `makeClientErrorHandler`). */
export type ClientErrorHandler = (error: Error & { readonly code?: string }, socket: Duplex) => void

/**
 * Answers requests Node's HTTP parser refuses (a malformed request line, duplicate `Content-Length`, a control
 * character in a header, headers too large, a client too slow to send them) with a JSON-RPC error body rather than
 * Node's empty one, and accounts for them. They come in floods when they come at all: counted per address.
 */
export const makeClientErrorHandler =
  (endpoint: NodeEndpoint): ClientErrorHandler =>
  (error, socket) => {
    // Nothing can be written on a socket that is gone, or in the middle of another response (as Node's own handler).
    const answering = (socket as Duplex & { readonly _httpMessage?: unknown })._httpMessage
    if (error.code === "ECONNRESET" || !socket.writable || answering) return void socket.destroy()
    const status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400
    const message = status === 400 ? "Bad Request: malformed HTTP request" : (STATUS_CODES[status] ?? "Bad Request")
    const body = JSON.stringify({ jsonrpc: "2.0", error: { code: -32600, message }, id: null })
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
    )
    const address = (socket as Duplex & { readonly remoteAddress?: string }).remoteAddress
    endpoint.journal.endRepeated(`http ${error.code} ${address}`, address, {
      method: "",
      described: { single: false },
      status,
      startedAt: performance.now(),
      errorCode: -32600,
      reason: `malformed HTTP request (${error.code ?? error.message})`,
      refusedBy: "http"
    })
  }

/**
 * Whether the client went away, as the `AbortSignal` the SDK path's web `Request` carries: the controller is made
 * only when that signal is asked for (an `AbortController` on every request costs more than the fast path needs).
 */
class Departure {
  #controller: AbortController | undefined
  #gone = false

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      if (this.#gone) this.#controller.abort(new Error("the client went away"))
    }
    return this.#controller.signal
  }

  /** The client went away. */
  leave(): void {
    this.#gone = true
    this.#controller?.abort(new Error("the client went away"))
  }
}

/** Makes the handler. */
export const makeNodeHandler = (endpoint: NodeEndpoint): NodeHandler => {
  const tooLarge = bodyTooLarge(endpoint.maxBodyBytes)
  let overloaded: Answer | undefined
  // Answers go out at the end of the turn they were made in, together (see `TurnWriter.ts`).
  const turn = makeTurnWriter()

  /** Accounts for a body larger than the limit. */
  const tooLargeEnded = (request: IncomingMessage, startedAt: number) =>
    endpoint.journal.end({
      method: "POST",
      described: describeHeaders(request),
      status: 413,
      startedAt,
      errorCode: -32600,
      reason: "body too large",
      refusedBy: "body-size"
    })

  /** Answers a body larger than the limit, and accounts for it. */
  const refuseTooLarge = (request: IncomingMessage, response: ServerResponse, startedAt: number) => {
    writeAnswer(response, tooLarge)
    endpoint.run(tooLargeEnded(request, startedAt))
  }

  /** Reads the body, up to the limit, and hands it over as text (undefined when larger; the rest is left unread). */
  const onBody = (request: IncomingMessage, then: (text: string | undefined) => void) => {
    const chunks: Array<Buffer> = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size <= endpoint.maxBodyBytes) return void chunks.push(chunk)
      request.off("data", onData)
      request.off("end", onEnd)
      request.resume()
      then(undefined)
    }
    const onEnd = () => then(Buffer.concat(chunks, size).toString("utf8"))
    request.on("data", onData)
    request.once("end", onEnd)
  }

  /** The body, as an effect (for a request that waits in the admission queue before its body is read). */
  const readBody = (request: IncomingMessage) =>
    Effect.callback<string | undefined>((resume) => onBody(request, (text) => resume(Effect.succeed(text))))

  /** Runs an exchange in a fiber of its own and writes its answer; a client that goes away interrupts it. */
  const run = (
    request: IncomingMessage,
    response: ServerResponse,
    departure: Departure,
    exchange: Effect.Effect<Answer | Response>,
    done: () => void,
    startedAt: number
  ) => {
    const fiber = endpoint.run(exchange)
    endpoint.inFlight.add(fiber)
    response.once("close", () => {
      if (response.writableFinished) return
      departure.leave()
      fiber.interruptUnsafe()
    })
    request.once("error", () => response.destroy())
    fiber.addObserver((exit) => {
      endpoint.inFlight.delete(fiber)
      done()
      if (response.destroyed) return
      if (Exit.isSuccess(exit)) {
        if (exit.value instanceof Response) void writeWebResponse(response, exit.value)
        else turn.write(response, exit.value)
      } else if (!Cause.hasInterruptsOnly(exit.cause)) {
        const requestId = makeRequestId()
        writeAnswer(response, internalError(requestId))
        endpoint.run(
          Effect.logError("the MCP endpoint failed unexpectedly", exit.cause).pipe(
            Effect.annotateLogs({ requestId }),
            Effect.andThen(
              endpoint.journal.end({
                method: request.method ?? "",
                described: describeHeaders(request),
                status: 500,
                startedAt,
                errorCode: -32603,
                requestId
              })
            )
          )
        )
      } else response.destroy()
    })
  }

  const nothing = () => undefined

  /** Serves a request whose body has been read: on the fast path, or on the SDK path over the same body. */
  const serveText = (
    request: IncomingMessage,
    departure: Departure,
    text: string
  ): Effect.Effect<Answer | Response> => {
    const headers = request.headers
    let body: unknown
    let parsed = true
    try {
      body = JSON.parse(text)
    } catch {
      parsed = false
    }
    const route = parsed
      ? fastRoute(
          {
            accept: single(headers.accept),
            "mcp-protocol-version": single(headers["mcp-protocol-version"]),
            "mcp-method": single(headers["mcp-method"]),
            "mcp-name": single(headers["mcp-name"])
          },
          body
        )
      : undefined
    const toWebRequest = () => {
      const web = new Headers()
      for (const name in headers) {
        const value = single(headers[name])
        if (value !== undefined) web.set(name, value)
      }
      return new Request(`http://${headers.host ?? "localhost"}${request.url ?? "/"}`, {
        method: "POST",
        headers: web,
        body: text,
        signal: departure.signal
      })
    }
    // The SDK path resolves the client's address itself, from the same peer and headers.
    if (route === undefined) return endpoint.serve(toWebRequest(), request.socket.remoteAddress)
    const clientAddress = endpoint.clientAddressOf(request.socket.remoteAddress, single(headers["x-forwarded-for"]))
    const credentials: Authentication.Credentials = {
      transport: "http",
      method: "POST",
      path: request.url ?? "",
      headers: flatHeaders(headers),
      body: text,
      ...(clientAddress === undefined ? {} : { clientAddress })
    }
    return serveFast(endpoint.fast, { route, credentials, body, toWebRequest })
  }

  return (request, response, next) => {
    const headers = request.headers
    if (request.method !== "POST" || headers["mcp-session-id"] !== undefined) return next()
    if (!isJsonContentType(single(headers["content-type"]) ?? null)) return next()
    // Host and Origin were checked by the guard, on every route.
    const startedAt = performance.now()
    if (Number(headers["content-length"]) > endpoint.maxBodyBytes) return refuseTooLarge(request, response, startedAt)
    const departure = new Departure()
    // Admitted before the body is read: a refused request costs no parsing, a queued one holds no body. A free slot
    // (the common case) is taken here and now; only a request that must wait for one waits in a fiber.
    if (endpoint.admission.tryEnter()) {
      let left = false
      const leave = () => {
        if (left) return
        left = true
        endpoint.admission.leave()
      }
      response.once("close", leave)
      return onBody(request, (text) => {
        if (text !== undefined)
          return run(request, response, departure, serveText(request, departure, text), leave, startedAt)
        leave()
        refuseTooLarge(request, response, startedAt)
      })
    }
    // Refused at once when waiting would not help: answered here, without a fiber, as cheaply as it can be (under a
    // flood the refusals are most of the work).
    const refused = endpoint.admission.refuseNow()
    if (refused !== undefined) {
      overloaded ??= overloadedAnswer(refused)
      // Written now, not with the turn's answers: the load-shedding watch ends its timing of a turn before those are
      // written, and a flood's refusals written after it would hide most of the turn's work from it. The answers the
      // turn finished before it turned to refusing go out first: they would otherwise wait behind every refusal.
      turn.flush()
      writeAnswer(response, overloaded)
      return shed(endpoint.journal, "POST", describeHeaders(request), startedAt)
    }
    const queued = endpoint.admission
      .admit(
        Effect.flatMap(readBody(request), (text) =>
          text === undefined
            ? Effect.as(tooLargeEnded(request, startedAt), tooLarge)
            : serveText(request, departure, text)
        )
      )
      .pipe(
        Effect.catchTag("Overloaded", (overloaded) =>
          Effect.sync(() => {
            shed(endpoint.journal, "POST", describeHeaders(request), startedAt)
            return overloadedAnswer(overloaded)
          })
        )
      )
    run(request, response, departure, queued, nothing, startedAt)
  }
}
