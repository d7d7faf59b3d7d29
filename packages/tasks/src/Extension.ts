/**
 * The MCP Tasks extension (`io.modelcontextprotocol/tasks`, SEP-2663) as a client declares it: in the capabilities
 * of each 2026-07-28 request (or of a 2025 session). A server may answer a task handle only to a request that
 * declares it, and refuses the `tasks/*` methods to one that does not (-32021, naming the extension).
 *
 * @since 0.1.0
 */
import { McpError } from "@bulwark/core"
import type { ClientCapabilities } from "@modelcontextprotocol/server"
import { Predicate } from "effect"

/** The extension's identifier. */
export const EXTENSION_ID = "io.modelcontextprotocol/tasks"

/** What the server announces (`capabilities.extensions`). */
export const capabilities = { extensions: { [EXTENSION_ID]: {} } }

/** Whether the client's capabilities declare the extension. */
export const declared = (clientCapabilities: ClientCapabilities | undefined): boolean => {
  const extensions = (clientCapabilities as { readonly extensions?: unknown } | undefined)?.extensions
  return Predicate.isObject(extensions) && Predicate.isObject((extensions as Record<string, unknown>)[EXTENSION_ID])
}

/** The refusal of a request that needs the extension from a client that did not declare it (-32021). */
export const missing = (what: string): McpError =>
  new McpError({
    code: -32021,
    message: `Missing required client capability: ${what} needs the ${EXTENSION_ID} extension`,
    data: { requiredCapabilities: { extensions: { [EXTENSION_ID]: {} } } }
  })
