/** Helpers to call `EdgeAuthentication` the way the MCP endpoint does, and to inspect refusals. */
import type { Principal } from "@bulwark/core"
import { EdgeAuthentication, type EdgeRefusal } from "@bulwark/mcp"
import { Effect } from "effect"
import { signRequest } from "../../src/index.ts"

/** The URL the tests' requests go to. */
export const mcpUrl = "http://localhost:3000/mcp"

/** A JSON-RPC body like the ones MCP clients send. */
export const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} })

/** A POST to /mcp with these headers and body. */
export const post = (headers: Record<string, string>, text = body, url = mcpUrl, method = "POST"): Request =>
  new Request(url, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: method === "GET" || method === "HEAD" ? null : text
  })

/** A request signed for `keyId`/`secret` (optionally sent with other method, URL or body than signed). */
export const signed = (
  credential: { readonly keyId: string; readonly secret: string },
  options: {
    readonly timestamp?: number
    readonly signedBody?: string
    readonly sentBody?: string
    readonly signedUrl?: string
    readonly sentUrl?: string
    readonly signedMethod?: string
    readonly sentMethod?: string
  } = {}
): { readonly request: Request; readonly headers: Record<string, string> } => {
  const headers = signRequest({
    keyId: credential.keyId,
    secret: credential.secret,
    method: options.signedMethod ?? "POST",
    url: options.signedUrl ?? mcpUrl,
    body: options.signedBody ?? body,
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp })
  })
  return {
    headers,
    request: post(
      headers,
      options.sentBody ?? options.signedBody ?? body,
      options.sentUrl ?? options.signedUrl ?? mcpUrl,
      options.sentMethod ?? options.signedMethod ?? "POST"
    )
  }
}

/** Authenticates as the endpoint would (`body` is the raw text). */
export const authenticate = (
  request: Request,
  text = body
): Effect.Effect<Principal, EdgeRefusal, EdgeAuthentication> =>
  Effect.flatMap(EdgeAuthentication, (edge) => edge.authenticate(request, text))

/** The refusal of a request that must be refused, with its status, headers and body read. */
export const refusal = (request: Request, text = body) =>
  Effect.gen(function* () {
    const refused = yield* Effect.flip(authenticate(request, text))
    const responseBody = yield* Effect.promise(() => refused.response.text())
    return {
      reason: refused.reason,
      status: refused.response.status,
      challenge: refused.response.headers.get("www-authenticate"),
      body: responseBody
    }
  })

/** Reasons collected during a test file, checked at the end for secrets. */
export const reasons: Array<string> = []

/** `refusal`, remembering the reason. */
export const refused = (request: Request, text = body) =>
  Effect.tap(refusal(request, text), (result) => Effect.sync(() => reasons.push(result.reason)))
