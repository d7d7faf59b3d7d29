import type { GetPromptResult, PromptMessage } from "@modelcontextprotocol/server"
import type { Effect, Schema } from "effect"
import type { DomainError } from "../errors/ToolError.ts"
import type { ToolContext } from "../tool/ToolContext.ts"

/** A message of a prompt (user or assistant, with one content block). */
export type Message = PromptMessage

/** What a prompt declares: its arguments (a struct of strings), completions for them and how to build the messages. */
export interface PromptSpec<A extends Schema.Top, E extends DomainError, R> {
  readonly description: string
  readonly title?: string
  /** The arguments: an Effect Schema struct whose fields are strings (MCP prompt arguments are strings). */
  readonly args: A
  readonly complete?: Readonly<
    Record<string, (value: string, context: ToolContext) => Effect.Effect<ReadonlyArray<string>, E, R>>
  >
  readonly handler: (
    args: A["Type"],
    context: ToolContext
  ) => Effect.Effect<ReadonlyArray<Message> | Omit<GetPromptResult, "resultType">, E, R>
}

/** A prompt of a plugin. */
export interface Prompt<R = never> {
  readonly _tag: "Prompt"
  readonly name: string
  readonly spec: PromptSpec<Schema.Top, DomainError, R>
}

/** Declares a prompt. */
export const make = <A extends Schema.Top, E extends DomainError, R>(
  name: string,
  spec: PromptSpec<A, E, R>
): Prompt<R> => ({ _tag: "Prompt", name, spec: spec as unknown as Prompt<R>["spec"] })

/** A user message with text. */
export const user = (text: string): Message => ({ role: "user", content: { type: "text", text } })

/** An assistant message with text. */
export const assistant = (text: string): Message => ({ role: "assistant", content: { type: "text", text } })
