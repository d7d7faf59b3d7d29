export * from "./ClientChannel.ts"
export * from "./CurrentCall.ts"
export * from "./McpRequest.ts"
