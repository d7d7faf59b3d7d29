import { Schema } from "effect"

/**
 * What a tool, resource or prompt handler may fail with: any tagged error with a message.
 * The message is what the agent reads, so it should say what went wrong and what to do about it.
 */
export interface DomainError {
  readonly _tag: string
  readonly message: string
}

/** A ready-made domain error for handlers that need no error class of their own. */
export class ToolError extends Schema.TaggedError<ToolError>()("ToolError", {
  message: Schema.String
}) {}
