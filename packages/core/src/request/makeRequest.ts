/**
 * Building a request by hand, as a transport would hand it to the pipeline: for applications that call the pipeline
 * directly (no transport at all) and for tests.
 */
import { silentChannel } from "./ClientChannel.ts"
import type { McpRequest, Params } from "./McpRequest.ts"

/**
 * A request for `method` with `params`. Defaults: a 2026-07-28 request, no `_meta`, no client to talk back to;
 * `overrides` sets anything else (a principal, the era, answers to earlier questions, ...).
 */
export const makeRequest = (method: string, params: Params = {}, overrides: Partial<McpRequest> = {}): McpRequest => ({
  jsonRpcId: 1,
  method,
  params,
  meta: {},
  era: "modern",
  headers: {},
  inputResponses: {},
  client: silentChannel,
  ...overrides
})
