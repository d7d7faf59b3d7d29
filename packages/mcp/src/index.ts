/**
 * @bulwark/mcp: serves the Bulwark pipeline over MCP through the official SDK: Streamable HTTP (2026-07-28 and the
 * 2025 revisions on one endpoint), stdio, and in-process clients.
 */

export { EdgeAuthentication, EdgeRefusal } from "./auth/EdgeAuthentication.ts"
export { makeServerFactory, PIPELINE_METHODS, type ServerFactory, type ServerIdentity } from "./bridge/ServerFactory.ts"
export { type BridgeOptions, toMcpRequest } from "./bridge/toMcpRequest.ts"
export * as Endpoint from "./http/Endpoint.ts"
export type { SessionLimits } from "./http/LegacySessions.ts"
export type { EndpointOptions, McpEndpoint } from "./http/McpEndpoint.ts"
export * as McpHttp from "./http/McpHttp.ts"
export type { ClientSink } from "./notify/ClientSinks.ts"
export * as ClientSinks from "./notify/ClientSinks.ts"
export * as Stdio from "./stdio/Stdio.ts"
