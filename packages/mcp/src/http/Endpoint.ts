/**
 * The process's MCP endpoint as a service, shared by the HTTP route and in-process clients.
 */
import { Context, Layer } from "effect"
import { type EndpointOptions, type McpEndpoint, makeEndpoint } from "./McpEndpoint.ts"

/** The process's MCP endpoint, shared by the HTTP route and in-process clients. */
export class Endpoint extends Context.Service<Endpoint, McpEndpoint>()("@bulwark/mcp/Endpoint") {}

/** Builds the endpoint once for the life of the layer. */
export const layer = (options: EndpointOptions) => Layer.effect(Endpoint, makeEndpoint(options))
