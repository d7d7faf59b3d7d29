/**
 * A 2026-07-28 `tools/call` as the benchmarks send it: the headers (API key, protocol version, routing headers) and
 * the body with its `_meta` envelope, optionally declaring the Tasks extension.
 */

/** The headers of a call of `name` with `apiKey`, plus `extra`. */
export const headersFor = (
  apiKey: string,
  name: string,
  extra: Record<string, string> = {}
): Record<string, string> => ({
  ...extra,
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
  authorization: `Bearer ${apiKey}`,
  "mcp-protocol-version": "2026-07-28",
  "mcp-method": "tools/call",
  "mcp-name": name
})

/** The body of a call of `name` with `args`; `tasks` declares the Tasks extension in the client capabilities. */
export const bodyFor = (name: string, args: Record<string, unknown>, tasks = false) =>
  JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "tools/call",
    params: {
      name,
      arguments: args,
      _meta: {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": { name: "bench", version: "1.0.0" },
        "io.modelcontextprotocol/clientCapabilities": tasks
          ? { extensions: { "io.modelcontextprotocol/tasks": {} } }
          : {}
      }
    }
  })

/** The headers of a 2025 `tools/call` without a session (stateless) with `apiKey`. */
export const statelessHeadersFor = (apiKey: string): Record<string, string> => ({
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
  authorization: `Bearer ${apiKey}`,
  "mcp-protocol-version": "2025-11-25"
})

/** The body of a 2025 `tools/call` of `name` with `args` (no `_meta` envelope). */
export const statelessBodyFor = (name: string, args: Record<string, unknown>) =>
  JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } })
