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
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http"
import { Readable } from "node:stream"
import { pipeline as pipeStreams } from "node:stream/promises"
import type { ReadableStream as NodeReadableStream } from "node:stream/web"
import { Admission, type Authentication, type Overloaded } from "@bulwark/core"
import { isJsonContentType, validateHostHeader, validateOriginHeader } from "@modelcontextprotocol/server"
import { Cause, Effect, Exit, type Fiber } from "effect"
import { fastRoute } from "../fast/FastRoute.ts"
import { type FastPath, serveFast } from "../fast/serveFast.ts"
import { type Answer, bodyTooLarge, jsonRpcError } from "../responses.ts"

/** What the handler serves with: the endpoint's settings and its two paths. */
export interface NodeEndpoint {
  readonly allowedHosts: Array<string>
  readonly allowedOrigins: Array<string>
  readonly maxBodyBytes: number
  readonly fast: FastPath
  /** The endpoint's SDK path for a whole request (already admitted). */
  readonly serve: (request: Request) => Effect.Effect<Response>
  /** Load shedding: every exchange is admitted before its body is read. */
  readonly admission: Admission.AdmissionShape
  /** Runs an exchange in a fiber of its own, with the endpoint's services. */
  readonly run: <A>(effect: Effect.Effect<A>) => Fiber.Fiber<A>
}

/** Serves one Node request on the MCP path, or hands it to `next`. */
export type NodeHandler = (request: IncomingMessage, response: ServerResponse, next: () => void) => void

const single = (value: string | Array<string> | undefined): string | undefined =>
  Array.isArray(value) ? value.join(", ") : value

/** Headers with lower-case names, repeated ones joined with `, ` (as the authentication port wants them). */
const flatHeaders = (headers: IncomingHttpHeaders): Record<string, string> => {
  const flat: Record<string, string> = {}
  for (const name in headers) {
    const value = single(headers[name])
    if (value !== undefined) flat[name] = value
  }
  return flat
}

const writeAnswer = (response: ServerResponse, answer: Answer): void => {
  response
    .writeHead(answer.status, { ...answer.headers, "content-length": Buffer.byteLength(answer.body) })
    .end(answer.body)
}

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

const internalError = jsonRpcError(500, -32603, "Internal error")

/** The answer to a request refused because the server is at capacity. */
export const overloadedAnswer = (overloaded: Overloaded): Answer =>
  jsonRpcError(503, Admission.OVERLOADED_CODE, overloaded.message, {
    "retry-after": String(overloaded.retryAfterSeconds)
  })

/** Makes the handler. */
export const makeNodeHandler = (endpoint: NodeEndpoint): NodeHandler => {
  const tooLarge = bodyTooLarge(endpoint.maxBodyBytes)

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
    abort: AbortController,
    exchange: Effect.Effect<Answer | Response>,
    done: () => void
  ) => {
    const fiber = endpoint.run(exchange)
    response.once("close", () => {
      if (response.writableFinished) return
      abort.abort(new Error("the client went away"))
      fiber.interruptUnsafe()
    })
    request.once("error", () => response.destroy())
    fiber.addObserver((exit) => {
      done()
      if (response.destroyed) return
      if (Exit.isSuccess(exit)) {
        if (exit.value instanceof Response) void writeWebResponse(response, exit.value)
        else writeAnswer(response, exit.value)
      } else if (!Cause.hasInterruptsOnly(exit.cause)) writeAnswer(response, internalError)
      else response.destroy()
    })
  }

  const nothing = () => undefined

  /** Serves a request whose body has been read: on the fast path, or on the SDK path over the same body. */
  const serveText = (request: IncomingMessage, signal: AbortSignal, text: string): Effect.Effect<Answer | Response> => {
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
        signal
      })
    }
    if (route === undefined) return endpoint.serve(toWebRequest())
    const credentials: Authentication.Credentials = {
      transport: "http",
      method: "POST",
      path: request.url ?? "",
      headers: flatHeaders(headers),
      body: text
    }
    return serveFast(endpoint.fast, { route, credentials, body, toWebRequest })
  }

  return (request, response, next) => {
    const headers = request.headers
    if (request.method !== "POST" || headers["mcp-session-id"] !== undefined) return next()
    if (!isJsonContentType(single(headers["content-type"]) ?? null)) return next()
    if (!validateHostHeader(single(headers.host), endpoint.allowedHosts).ok) return next()
    if (!validateOriginHeader(single(headers.origin), endpoint.allowedOrigins).ok) return next()
    if (Number(headers["content-length"]) > endpoint.maxBodyBytes) return writeAnswer(response, tooLarge)
    const abort = new AbortController()
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
        if (text !== undefined) return run(request, response, abort, serveText(request, abort.signal, text), leave)
        leave()
        writeAnswer(response, tooLarge)
      })
    }
    const queued = endpoint.admission
      .admit(
        Effect.flatMap(readBody(request), (text) =>
          text === undefined ? Effect.succeed(tooLarge) : serveText(request, abort.signal, text)
        )
      )
      .pipe(Effect.catchTag("Overloaded", (overloaded) => Effect.succeed(overloadedAnswer(overloaded))))
    run(request, response, abort, queued, nothing)
  }
}
