export type { Message, PromptSpec } from "./Prompt.ts"
export * as Prompt from "./Prompt.ts"
