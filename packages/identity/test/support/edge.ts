/** Helpers to call core's `Authentication` port the way the HTTP edge does, and to inspect refusals. */
import { Authentication, type AuthenticationRefused, type Principal } from "@bulwark/core"
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

/** Authenticates as the HTTP edge would (`text` is the raw body). */
export const authenticate = (
  request: Request,
  text = body
): Effect.Effect<Principal, AuthenticationRefused, Authentication.Authentication> =>
  Effect.flatMap(Authentication.Authentication, (port) =>
    port.authenticate(Authentication.fromWebRequest(request, text))
  )

/** The refusal of a request that must be refused: its status, challenge, body and reason. */
export const refusal = (request: Request, text = body) =>
  Effect.map(Effect.flip(authenticate(request, text)), (refused) => ({
    reason: refused.reason,
    status: refused.status,
    challenge: refused.headers["www-authenticate"] ?? null,
    body: refused.body
  }))

/** Reasons collected during a test file, checked at the end for secrets. */
export const reasons: Array<string> = []

/** `refusal`, remembering the reason. */
export const refused = (request: Request, text = body) =>
  Effect.tap(refusal(request, text), (result) => Effect.sync(() => reasons.push(result.reason)))
