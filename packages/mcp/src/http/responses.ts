/**
 * JSON-RPC errors as HTTP responses, for answers given before any MCP processing.
 */
/** A JSON-RPC error as an HTTP response, for answers given before any MCP processing. */
export const jsonRpcErrorResponse = (status: number, code: number, message: string, id: unknown = null): Response =>
  new Response(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id }), {
    status,
    headers: { "content-type": "application/json" }
  })
