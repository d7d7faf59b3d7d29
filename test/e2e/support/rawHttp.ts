/**
 * Raw HTTP against a running server: what a misbehaving or hostile client sends, without the SDK's help.
 */
import { request } from "node:http"
import { expect } from "vitest"
import { authHeaders } from "./credentials.ts"

/** The headers a plain (stateless) 2025-11-25 request carries. */
export const legacyHeaders: Readonly<Record<string, string>> = {
  ...authHeaders,
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
  "mcp-protocol-version": "2025-11-25"
}

/** A JSON-RPC response as it comes off the wire. */
export interface JsonRpcResponse {
  readonly jsonrpc: string
  readonly id: unknown
  readonly result?: Record<string, unknown>
  readonly error?: { readonly code: number; readonly message: string; readonly data?: unknown }
}

/** The JSON-RPC response in a body: plain JSON, or the `data:` line of an SSE stream that carries the response. */
export const parseJsonRpc = (contentType: string, body: string): JsonRpcResponse => {
  if (!contentType.includes("text/event-stream")) return JSON.parse(body) as JsonRpcResponse
  const messages = body
    .split("\n")
    .filter((line) => line.startsWith("data:"))
    .map((line) => JSON.parse(line.slice("data:".length)) as JsonRpcResponse)
  const response = messages.find((message) => "result" in message || "error" in message)
  if (response === undefined) throw new Error(`no JSON-RPC response in the event stream:\n${body}`)
  return response
}

/** POSTs `body` (sent as is) to the MCP endpoint with `fetch`. */
export const post = (url: URL, body: string, headers: Readonly<Record<string, string>> = legacyHeaders) =>
  fetch(url, { method: "POST", headers: { ...headers }, body })

/** The two wire formats a raw request can take: a plain 2025-11-25 request, or a 2026-07-28 one. */
export type Wire = "2025-11-25" | "2026-07-28"

export const wires: ReadonlyArray<Wire> = ["2025-11-25", "2026-07-28"]

const namedBy: Readonly<Record<string, string>> = {
  "tools/call": "name",
  "prompts/get": "name",
  "resources/read": "uri"
}

/**
 * The headers of a request: a 2026-07-28 request also names its method (`Mcp-Method`) and, for calls, reads and
 * gets, its target (`Mcp-Name`), which must match the body.
 */
export const headersFor = (wire: Wire, method: string, params: Record<string, unknown>): Record<string, string> => {
  if (wire === "2025-11-25") return { ...legacyHeaders }
  const key = namedBy[method]
  const name = key === undefined ? undefined : params[key]
  return {
    ...legacyHeaders,
    "mcp-protocol-version": wire,
    "mcp-method": method,
    ...(typeof name === "string" ? { "mcp-name": name } : {})
  }
}

/** The body of a request: a 2026-07-28 request carries the protocol version and client in `params._meta`. */
export const bodyFor = (wire: Wire, method: string, params: Record<string, unknown>): string =>
  JSON.stringify({
    jsonrpc: "2.0",
    id: 7,
    method,
    params:
      wire === "2025-11-25"
        ? params
        : {
            ...params,
            _meta: {
              "io.modelcontextprotocol/protocolVersion": wire,
              "io.modelcontextprotocol/clientInfo": { name: "bulwark-e2e-raw", version: "1.0.0" },
              "io.modelcontextprotocol/clientCapabilities": {}
            }
          }
  })

/** One stateless JSON-RPC call on the given wire; the HTTP status must be 200. */
export const rpc = async (
  url: URL,
  method: string,
  params: Record<string, unknown>,
  wire: Wire = "2025-11-25"
): Promise<JsonRpcResponse> => {
  const response = await post(url, bodyFor(wire, method, params), headersFor(wire, method, params))
  const body = await response.text()
  expect(response.status, body).toBe(200)
  const message = parseJsonRpc(response.headers.get("content-type") ?? "", body)
  expect(message.id).toBe(7)
  return message
}

/** The plain result of a response. */
export interface RawResponse {
  readonly status: number
  readonly contentType: string
  readonly body: string
  readonly retryAfter?: string | undefined
}

/**
 * A request through `node:http`, for what `fetch` will not send: `fetch` replaces a `Host` header with the URL's.
 */
export const rawRequest = (
  url: URL,
  options: {
    readonly method: string
    readonly headers: Readonly<Record<string, string>>
    readonly body?: string
    /** The local address to connect from (another loopback address is another client). */
    readonly localAddress?: string
  }
): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const settings = {
      method: options.method,
      headers: { ...options.headers },
      ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress })
    }
    const req = request(url, settings, (res) => {
      let body = ""
      res.setEncoding("utf8")
      res.on("data", (chunk: string) => {
        body += chunk
      })
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers["content-type"] ?? ""),
          body,
          retryAfter: res.headers["retry-after"]
        })
      )
      res.on("error", reject)
    })
    req.on("error", reject)
    req.end(options.body)
  })
