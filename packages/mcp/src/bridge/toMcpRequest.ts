import type { McpRequest, ProtocolEra } from "@bulwark/core"
import type { LoggingLevel, ServerContext } from "@modelcontextprotocol/server"

const EMPTY: Readonly<Record<string, never>> = {}

const traceHeaders = (request: Request | undefined): Readonly<Record<string, string>> => {
  if (request === undefined) return EMPTY
  const traceparent = request.headers.get("traceparent")
  if (traceparent === null) return EMPTY
  const tracestate = request.headers.get("tracestate")
  return tracestate === null ? { traceparent } : { traceparent, tracestate }
}

/** Translates a request the SDK dispatched into the transport-independent request the pipeline serves. */
export const toMcpRequest = (
  sdkRequest: { readonly method: string; readonly params?: Record<string, unknown> | undefined },
  context: ServerContext,
  era: ProtocolEra
): McpRequest => {
  const { _meta, ...params } = (sdkRequest.params ?? EMPTY) as Record<string, unknown>
  const mcpReq = context.mcpReq
  return {
    jsonRpcId: mcpReq.id,
    method: sdkRequest.method,
    params,
    meta: (mcpReq._meta ?? EMPTY) as Readonly<Record<string, unknown>>,
    era,
    headers: traceHeaders(context.http?.req),
    inputResponses: mcpReq.inputResponses ?? EMPTY,
    signal: mcpReq.signal,
    client: {
      notify: (method, notificationParams) => mcpReq.notify({ method, params: notificationParams } as never),
      log: (level: LoggingLevel, data: unknown, logger?: string) => mcpReq.log(level, data, logger)
    }
  }
}
