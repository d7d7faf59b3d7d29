export * as Prompt from "./Prompt.ts"
export type { Message, PromptSpec } from "./Prompt.ts"
