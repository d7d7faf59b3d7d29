export * from "./InputRequired.ts"
export * from "./McpError.ts"
export * from "./Rejection.ts"
export * from "./ToolError.ts"
