/**
 * JSON-RPC errors the HTTP edge answers itself, before or instead of any MCP processing, as a plain `Answer` (what
 * Node's response is written from) or as a web `Response` (the web-standard face).
 */
import { Effect } from "effect"

/** An HTTP answer: status, headers and the JSON text of the body. */
export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** A JSON-RPC error with no request id, as an answer with `status` (and any extra headers). */
export const jsonRpcError = (
  status: number,
  code: number,
  message: string,
  headers: Readonly<Record<string, string>> = {}
): Answer => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null })
})

/** An answer as a web response. */
export const toWebResponse = (answer: Answer): Response =>
  new Response(answer.body, { status: answer.status, headers: answer.headers })

/** A JSON-RPC error as a web response. */
export const jsonRpcErrorResponse = (status: number, code: number, message: string): Response =>
  toWebResponse(jsonRpcError(status, code, message))

/** The answer to an unexpected failure of the edge itself: an internal error that carries only a request id. */
export const internalError = (requestId: string): Answer => ({
  status: 500,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({
    jsonrpc: "2.0",
    error: { code: -32603, message: `Internal error (request id ${requestId})`, data: { requestId } },
    id: null
  })
})

/** The answer to a body larger than the endpoint takes. */
export const bodyTooLarge = (maxBodyBytes: number): Answer =>
  jsonRpcError(413, -32600, `Request body too large: the limit is ${maxBodyBytes} bytes`)

/** The JSON-RPC error code in a parsed JSON-RPC message (the first error of a batch), if any. */
const errorCodeIn = (message: unknown): number | undefined => {
  if (Array.isArray(message)) {
    for (const item of message) {
      const code = errorCodeIn(item)
      if (code !== undefined) return code
    }
    return undefined
  }
  if (typeof message !== "object" || message === null || !("error" in message)) return undefined
  const error = (message as { readonly error: unknown }).error
  const code = typeof error === "object" && error !== null ? (error as { readonly code?: unknown }).code : undefined
  return typeof code === "number" ? code : undefined
}

/**
 * A response with the JSON-RPC error code its JSON body carries, for an exchange's account: a JSON body is read and
 * put back into an identical response; an event stream is left alone (its code is not known).
 */
export const withErrorCode = (response: Response): Effect.Effect<readonly [Response, number | undefined]> => {
  if (response.body === null || !(response.headers.get("content-type") ?? "").includes("application/json")) {
    return Effect.succeed([response, undefined] as const)
  }
  return Effect.promise(async () => {
    const text = await response.text()
    let code: number | undefined
    try {
      code = errorCodeIn(JSON.parse(text))
    } catch {
      code = undefined
    }
    const copy = new Response(text, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers
    })
    return [copy, code] as const
  })
}
