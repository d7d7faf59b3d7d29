/**
 * A prompt compiled once at start-up: its listing (arguments derived from the schema), decoder, redactor, policy
 * and runners bound to its plugin's services, with its declared domain errors as the only failures a client sees.
 */
import type {
  GetPromptResult,
  InputRequiredResult,
  Prompt as McpPrompt,
  PromptArgument
} from "@modelcontextprotocol/server"
import { type Context, Effect } from "effect"
import { type DomainError, declaredBy } from "../errors/ToolError.ts"
import type { Prompt } from "../prompt/Prompt.ts"
import { type Decoder, makeDecoder } from "../schema/Decoder.ts"
import { toJsonSchema } from "../schema/JsonSchema.ts"
import { makeRedactor } from "../schema/Redaction.ts"
import type { ToolContext } from "../tool/ToolContext.ts"
import { admitDeclared, onlyDeclared } from "./inputRequired.ts"
import { provideServices } from "./provideServices.ts"

/** A prompt ready to serve. */
export interface CompiledPrompt {
  readonly name: string
  readonly plugin: string
  readonly definition: McpPrompt
  readonly decode: Decoder<unknown>
  /** The backends the prompt declares it calls. */
  readonly backends: ReadonlyArray<string>
  /** Copies arguments with sensitive fields replaced, for logs and the audit log. */
  readonly redact: (args: unknown) => unknown
  /** Builds the messages; a handler's `InputRequired` becomes an `input_required` result. */
  readonly get: (
    args: unknown,
    context: ToolContext
  ) => Effect.Effect<GetPromptResult | InputRequiredResult, DomainError>
  readonly complete: (
    argument: string,
    value: string,
    context: ToolContext
  ) => Effect.Effect<ReadonlyArray<string>, DomainError> | undefined
}

const argumentsOf = (prompt: Prompt<unknown>): Array<PromptArgument> => {
  const schema = toJsonSchema(prompt.spec.args) as {
    properties?: Record<string, { description?: string; title?: string }>
    required?: ReadonlyArray<string>
  }
  const required = new Set(schema.required ?? [])
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    ...(property.description === undefined ? {} : { description: property.description }),
    ...(property.title === undefined ? {} : { title: property.title }),
    required: required.has(name)
  }))
}

/** Compiles a declared prompt against the services of its plugin. */
export const compilePrompt = <R>(plugin: string, prompt: Prompt<R>, services: Context.Context<R>): CompiledPrompt => {
  const withServices = provideServices(services)
  const spec = prompt.spec
  const declared = declaredBy(spec.errors)
  return {
    name: prompt.name,
    plugin,
    definition: {
      name: prompt.name,
      description: spec.description,
      ...(spec.title === undefined ? {} : { title: spec.title }),
      arguments: argumentsOf(prompt as Prompt<unknown>)
    },
    backends: spec.backends ?? [],
    redact: makeRedactor(toJsonSchema(spec.args)),
    decode: makeDecoder(spec.args, { noun: "argument" }),
    get: (args, context) =>
      spec.handler(args, context).pipe(
        Effect.map(
          (out): GetPromptResult =>
            Array.isArray(out)
              ? { description: spec.description, messages: [...out] }
              : (out as unknown as GetPromptResult)
        ),
        admitDeclared(declared, context),
        withServices
      ),
    complete: (argument, value, context) => {
      const completer = spec.complete?.[argument]
      return completer === undefined ? undefined : completer(value, context).pipe(onlyDeclared(declared), withServices)
    }
  }
}
