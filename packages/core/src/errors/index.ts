export * from "./InputRequired.ts"
export * from "./McpError.ts"
export * from "./Refused.ts"
export * from "./ToolError.ts"
