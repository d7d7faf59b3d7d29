/**
 * One MCP request as the pipeline sees it, whatever carried it (Streamable HTTP, stdio, an in-process call): the
 * method and params as the client sent them, what the transport learned (the principal it authenticated, the
 * capabilities the client declared, an integrity-checked `requestState`), and the way back to the client.
 * Transports build it once per request; nothing in the pipeline changes it.
 */
import type { ClientCapabilities } from "@modelcontextprotocol/server"
import type { Tracer } from "effect"
import type { ClientChannel } from "./ClientChannel.ts"
import type { Principal } from "./Principal.ts"

/** Which protocol family the client speaks: 2026-07-28 (`modern`) or the 2025 revisions (`legacy`). */
export type ProtocolEra = "legacy" | "modern"

/** A request's params, without `_meta`. */
export type Params = Readonly<Record<string, unknown>>

/** One MCP request, independent of the transport that carried it. */
export interface McpRequest {
  /** The JSON-RPC id the client chose. */
  readonly jsonRpcId: string | number
  readonly method: string
  /** The request params without `_meta`. */
  readonly params: Params
  /** The request's `_meta` (progress token, trace context, ...), envelope keys removed. */
  readonly meta: Readonly<Record<string, unknown>>
  readonly era: ProtocolEra
  /** Transport headers worth knowing (lower-case names), e.g. `traceparent`. Empty on stdio. */
  readonly headers: Readonly<Record<string, string>>
  /** Answers to earlier `input_required` results (2026-07-28 multi-round-trip), untrusted. */
  readonly inputResponses: Readonly<Record<string, unknown>>
  /** What the client declared it supports (2026-07-28: on each request; 2025: at initialize), when known. */
  readonly clientCapabilities?: ClientCapabilities
  /**
   * The payload of the `requestState` the client echoed on a multi-round-trip retry, already integrity-checked by
   * the transport (a tampered or expired state never gets here); undefined when the request carried none.
   */
  readonly requestState?: unknown
  /**
   * Seals a payload into the integrity-protected `requestState` string an `input_required` result carries and the
   * client echoes on its retry. Absent when the transport cannot seal state (results then carry none).
   */
  readonly mintRequestState?: (payload: unknown) => Promise<string>
  /** Who is calling, as the transport authenticated it. Absent only where no authentication applies. */
  readonly principal?: Principal
  /**
   * The span the transport opened for this request (the HTTP edge opens it before authentication, so that
   * authentication is part of the request's trace). The pipeline makes it the request's span instead of opening
   * another; without one, the pipeline opens the request's span itself.
   */
  readonly span?: Tracer.Span
  readonly client: ClientChannel
  /**
   * Set only when the request is a run of a durable job (never from the wire): the job's id, the same for every
   * run, and which attempt this is.
   */
  readonly job?: JobRun
}

/** A run of a durable job. */
export interface JobRun {
  readonly id: string
  readonly attempt: number
}

/** The result object of a successful request, as sent in the JSON-RPC response. */
export type McpResult = Record<string, unknown>
