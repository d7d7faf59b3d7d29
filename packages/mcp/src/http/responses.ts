/**
 * JSON-RPC errors the HTTP edge answers itself, before or instead of any MCP processing, as a plain `Answer` (what
 * Node's response is written from) or as a web `Response` (the web-standard face).
 */

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

/** The answer to a body larger than the endpoint takes. */
export const bodyTooLarge = (maxBodyBytes: number): Answer =>
  jsonRpcError(413, -32600, `Request body too large: the limit is ${maxBodyBytes} bytes`)
