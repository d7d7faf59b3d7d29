/**
 * Declaring a prompt: its arguments (a struct of strings), completions for them, the domain errors a client may see,
 * the backends it calls, and how to build its messages.
 */
import type { GetPromptResult, PromptMessage } from "@modelcontextprotocol/server"
import type { Effect, Schema } from "effect"
import type { InputRequired } from "../errors/InputRequired.ts"
import type { Declared, DomainErrorSchema } from "../errors/ToolError.ts"
import type { ToolContext } from "../tool/ToolContext.ts"

/** A message of a prompt (user or assistant, with one content block). */
export type Message = PromptMessage

/** What a prompt declares. */
export interface PromptSpec<A extends Schema.Top, Errors extends ReadonlyArray<DomainErrorSchema>, R> {
  readonly description: string
  readonly title?: string
  /** The arguments: an Effect Schema struct whose fields are strings (MCP prompt arguments are strings). */
  readonly args: A
  /** The domain errors a client may see (as JSON-RPC invalid-params errors with their message); see `Tool`. */
  readonly errors?: Errors
  /** The backends the prompt calls, by name (a `backend` kill switch on one takes the prompt out of service). */
  readonly backends?: ReadonlyArray<string>
  readonly complete?: Readonly<
    Record<string, (value: string, context: ToolContext) => Effect.Effect<ReadonlyArray<string>, Declared<Errors>, R>>
  >
  readonly handler: (
    args: A["Type"],
    context: ToolContext
  ) => Effect.Effect<ReadonlyArray<Message> | Omit<GetPromptResult, "resultType">, Declared<Errors> | InputRequired, R>
}

/** A prompt of a plugin. */
export interface Prompt<R = never> {
  readonly _tag: "Prompt"
  readonly name: string
  readonly spec: PromptSpec<Schema.Top, ReadonlyArray<DomainErrorSchema>, R>
}

/** Declares a prompt. */
export const make = <A extends Schema.Top, R, const Errors extends ReadonlyArray<DomainErrorSchema> = readonly []>(
  name: string,
  spec: PromptSpec<A, Errors, R>
): Prompt<R> => ({ _tag: "Prompt", name, spec: spec as unknown as Prompt<R>["spec"] })

/** A user message with text. */
export const user = (text: string): Message => ({ role: "user", content: { type: "text", text } })

/** An assistant message with text. */
export const assistant = (text: string): Message => ({ role: "assistant", content: { type: "text", text } })
