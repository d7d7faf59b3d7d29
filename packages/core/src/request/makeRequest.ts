import { silentChannel } from "./ClientChannel.ts"
import { makeEdgeHints } from "./EdgeHints.ts"
import type { McpRequest } from "./McpRequest.ts"

/**
 * Builds a request as a transport would hand it to the pipeline: for applications that call the pipeline directly
 * (no transport at all) and for tests. Defaults: a 2026-07-28 request, no `_meta`, no client to talk back to, fresh
 * edge hints; `overrides` sets anything else (a principal, the era, answers to earlier questions, ...).
 */
export const makeRequest = (
  method: string,
  params: Readonly<Record<string, unknown>> = {},
  overrides: Partial<McpRequest> = {}
): McpRequest => ({
  jsonRpcId: 1,
  method,
  params,
  meta: {},
  era: "modern",
  headers: {},
  inputResponses: {},
  signal: new AbortController().signal,
  client: silentChannel,
  edge: makeEdgeHints(),
  ...overrides
})
