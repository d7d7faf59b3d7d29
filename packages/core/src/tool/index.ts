export type { ToolHints, ToolOutput, ToolSpec } from "./Tool.ts"
export * as Tool from "./Tool.ts"
export * from "./ToolContext.ts"
