/**
 * Translating a request the SDK dispatched into the transport-independent `McpRequest` the pipeline serves: params
 * without `_meta`, the envelope's client capabilities, the verified `requestState`, the principal (from the HTTP
 * edge, or the connection's), the request's span, and the way back to the client.
 */
import type { McpRequest, McpResult, PipelineError, Principal, ProtocolEra } from "@bulwark/core"
import {
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  type LoggingLevel,
  type ServerContext
} from "@modelcontextprotocol/server"
import type { Exit, Tracer } from "effect"
import type { EdgeHints } from "../http/EdgeHints.ts"
import { requestHeaders } from "../http/RequestSpan.ts"

const EMPTY: Readonly<Record<string, never>> = {}

/** What the bridge knows beyond the SDK's request context. */
export interface BridgeOptions {
  /** The capabilities a 2025 client declared at initialize (2026-07-28 requests carry their own). */
  readonly sessionCapabilities?: ClientCapabilities | undefined
  /** Seals a `requestState` payload for this request (the codec whose `verify` the SDK runs on the echo). */
  readonly mintRequestState?: (payload: unknown, context: ServerContext) => Promise<string>
  /** The principal of a connection authenticated once (stdio, in-process). */
  readonly principal?: Principal | undefined
}

/** What the HTTP edge hands the pipeline through the SDK's `authInfo.extra`. */
export interface EdgeContext {
  readonly principal: Principal | undefined
  readonly edge: EdgeHints
  /** The span the edge opened for this HTTP exchange, when it carries exactly one request. */
  readonly span: Tracer.Span | undefined
  /** The outcome of a call the fast path already ran, for the SDK to check and encode instead of running it. */
  readonly settled?: Exit.Exit<McpResult, PipelineError>
}

/** The edge's context of a request, when it came through the HTTP edge. */
export const edgeContext = (context: ServerContext): EdgeContext | undefined =>
  context.http?.authInfo?.extra as EdgeContext | undefined

/** Translates a request the SDK dispatched into the transport-independent request the pipeline serves. */
export const toMcpRequest = (
  sdkRequest: { readonly method: string; readonly params?: Record<string, unknown> | undefined },
  context: ServerContext,
  era: ProtocolEra,
  options: BridgeOptions = {}
): McpRequest => {
  const { _meta, ...params } = (sdkRequest.params ?? EMPTY) as Record<string, unknown>
  const mcpReq = context.mcpReq
  const http = context.http?.req
  // The SDK types the envelope as an empty object; its keys are the reserved `io.modelcontextprotocol/*` names.
  const envelope = mcpReq.envelope as Readonly<Record<string, unknown>> | undefined
  const clientCapabilities =
    (envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined) ?? options.sessionCapabilities
  const requestState: unknown = mcpReq.requestState()
  const mint = options.mintRequestState
  const fromEdge = edgeContext(context)
  const principal = fromEdge?.principal ?? options.principal
  return {
    jsonRpcId: mcpReq.id,
    method: sdkRequest.method,
    params,
    meta: (mcpReq._meta ?? EMPTY) as Readonly<Record<string, unknown>>,
    era,
    headers: http === undefined ? EMPTY : requestHeaders((name) => http.headers.get(name)),
    inputResponses: mcpReq.inputResponses ?? EMPTY,
    ...(clientCapabilities === undefined ? {} : { clientCapabilities }),
    ...(requestState === undefined ? {} : { requestState }),
    ...(mint === undefined ? {} : { mintRequestState: (payload: unknown) => mint(payload, context) }),
    ...(principal === undefined ? {} : { principal }),
    ...(fromEdge?.span === undefined ? {} : { span: fromEdge.span }),
    client: {
      notify: (method, notificationParams) => mcpReq.notify({ method, params: notificationParams } as never),
      log: (level: LoggingLevel, data: unknown, logger?: string) => mcpReq.log(level, data, logger)
    }
  }
}
