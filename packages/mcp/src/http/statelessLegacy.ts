/**
 * Stateless 2025-era requests: one request that opened no session, served by a fresh SDK server instance and
 * answered as plain JSON (unless the client asked for progress), so that the HTTP status can reflect the outcome.
 */
import type { AuthInfo, Server } from "@modelcontextprotocol/server"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/server"

const wantsProgress = (body: unknown): boolean => {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false
  const params = (body as { params?: { _meta?: { progressToken?: unknown } } }).params
  return params?._meta?.progressToken !== undefined
}

/**
 * Serves one 2025-era request that opened no session, from a fresh server instance. Unlike the SDK's stateless
 * fallback, the answer is a plain JSON response unless the client asked for progress: its headers can then carry
 * what the outcome says (e.g. `Retry-After` for a rate-limited call), which an event stream, whose headers go out
 * before the result exists, cannot.
 */
export const serveStatelessLegacy = async (
  server: Server,
  request: Request,
  body: unknown,
  options: { readonly maxBodyBytes: number; readonly authInfo?: AuthInfo | undefined }
): Promise<Response> => {
  const stream = wantsProgress(body)
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: !stream,
    maxRequestBodySize: options.maxBodyBytes
  })
  await server.connect(transport)
  let closed = false
  const teardown = () => {
    if (closed) return
    closed = true
    void transport.close().catch(() => undefined)
    void server.close().catch(() => undefined)
  }
  request.signal?.addEventListener("abort", teardown, { once: true })
  const response = await transport.handleRequest(request, {
    parsedBody: body,
    ...(options.authInfo === undefined ? {} : { authInfo: options.authInfo })
  })
  if (response.body === null || !stream) {
    teardown()
    return response
  }
  // A progress stream: tear the instance down once the stream has been fully sent (or the client went away).
  const body$ = response.body.pipeThrough(
    new TransformStream({
      flush: teardown
    })
  )
  return new Response(body$, { status: response.status, headers: response.headers })
}
