import type { ClientChannel } from "./ClientChannel.ts"

/** Which protocol family the client speaks: 2026-07-28 (`modern`) or the 2025 revisions (`legacy`). */
export type ProtocolEra = "legacy" | "modern"

/**
 * One MCP request as the pipeline sees it, independent of the transport that carried it
 * (Streamable HTTP, stdio or in-process).
 */
export interface McpRequest {
  /** The JSON-RPC id the client chose. */
  readonly jsonRpcId: string | number
  readonly method: string
  /** The request params without `_meta`. */
  readonly params: Readonly<Record<string, unknown>>
  /** The request's `_meta` (progress token, trace context, ...), envelope keys removed. */
  readonly meta: Readonly<Record<string, unknown>>
  readonly era: ProtocolEra
  /** Transport headers worth knowing (lower-case names), e.g. `traceparent`. Empty on stdio. */
  readonly headers: Readonly<Record<string, string>>
  /** Answers to earlier `input_required` results (2026-07-28 multi-round-trip), untrusted. */
  readonly inputResponses: Readonly<Record<string, unknown>>
  /** Aborted when the client cancels or disconnects. */
  readonly signal: AbortSignal
  readonly client: ClientChannel
}

/** The result object of a successful request, as sent in the JSON-RPC response. */
export type McpResult = Record<string, unknown>
