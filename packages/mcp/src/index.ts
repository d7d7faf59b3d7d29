/**
 * `@bulwark/mcp`: serves the Bulwark pipeline over MCP through the official SDK: Streamable HTTP (2026-07-28 and the
 * 2025 revisions on one endpoint), stdio, and in-process clients. Authentication is core's `Authentication` port;
 * this package only carries what a transport received to it.
 */

/** The bridge from SDK servers to the pipeline. */
export { makeServerFactory, type ServerFactory, type ServerIdentity } from "./bridge/ServerFactory.ts"
export { type BridgeOptions, toMcpRequest } from "./bridge/toMcpRequest.ts"
/** The process's endpoint as a service, and its HTTP route. */
export * as Endpoint from "./http/Endpoint.ts"
export type { SessionLimits } from "./http/LegacySessions.ts"
export type { EndpointOptions, McpEndpoint } from "./http/McpEndpoint.ts"
export * as McpHttp from "./http/McpHttp.ts"
export * as McpNodeServer from "./http/node/McpNodeServer.ts"
export type { NodeHandler } from "./http/node/NodeHandler.ts"
/** Where change events go. */
export type { ClientSink } from "./notify/ClientSinks.ts"
export * as ClientSinks from "./notify/ClientSinks.ts"
/** stdio. */
export * as Stdio from "./stdio/Stdio.ts"
/** WebSocket: the limits a composition sets in `EndpointOptions.websocket`. */
export type { WebSocketOptions } from "./websocket/WebSocketEndpoint.ts"
export type { WebSocketLimits } from "./websocket/WebSocketTransport.ts"
