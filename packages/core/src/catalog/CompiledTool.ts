import type { CallToolResult, InputRequiredResult, Tool as McpTool } from "@modelcontextprotocol/server"
import { type Context, Duration, Effect, Schema } from "effect"
import { text } from "../content/Content.ts"
import { isInfrastructureError } from "../errors/InfrastructureError.ts"
import { InputRequired } from "../errors/InputRequired.ts"
import type { DomainError } from "../errors/ToolError.ts"
import { type Decoder, makeDecoder } from "../schema/Decoder.ts"
import { toJsonSchema } from "../schema/JsonSchema.ts"
import { makeRedactor } from "../schema/Redaction.ts"
import { annotations, type Tool } from "../tool/Tool.ts"
import type { ToolContext } from "../tool/ToolContext.ts"
import { toInputRequiredResult } from "./inputRequired.ts"
import { provideServices } from "./provideServices.ts"

/** A tool ready to serve: its listing, its decoder and a runner bound to the services its plugin needs. */
export interface CompiledTool {
  readonly name: string
  readonly plugin: string
  readonly definition: McpTool
  readonly decode: Decoder<unknown>
  readonly timeoutMs: number | undefined
  /** Copies arguments with the fields the input schema marks sensitive replaced, for logs and the audit log. */
  readonly redact: (args: unknown) => unknown
  /** Runs the handler on decoded input; domain errors become `isError` results, defects stay defects. */
  readonly run: (input: unknown, context: ToolContext) => Effect.Effect<CallToolResult | InputRequiredResult>
}

const stringify = (value: unknown): string => JSON.stringify(value, null, 2) ?? "null"

/** Renders a domain error as the tool result an agent reads. */
export const errorResult = (error: DomainError): CallToolResult => ({
  content: [text(error.message)],
  isError: true
})

/** Compiles a declared tool against the services of its plugin. */
export const compileTool = <R>(plugin: string, tool: Tool<R>, services: Context.Context<R>): CompiledTool => {
  const spec = tool.spec
  const hints = annotations(spec.hints)
  const output = spec.output
  const encodeOutput =
    output === undefined
      ? undefined
      : Schema.encodeUnknownSync(Schema.toCodecJson(output) as unknown as Schema.Codec<unknown, unknown>)
  const definition: McpTool = {
    name: tool.name,
    description: spec.description,
    inputSchema: toJsonSchema(spec.input) as McpTool["inputSchema"],
    ...(spec.title === undefined ? {} : { title: spec.title }),
    ...(output === undefined ? {} : { outputSchema: toJsonSchema(output) as NonNullable<McpTool["outputSchema"]> }),
    ...(hints === undefined ? {} : { annotations: hints })
  }
  const toResult = (value: unknown): CallToolResult => {
    if (encodeOutput !== undefined) {
      const structuredContent = encodeOutput(value) as Record<string, unknown>
      const content = spec.content ? [...spec.content(value as never)] : [text(stringify(structuredContent))]
      return { content, structuredContent }
    }
    if (value === undefined) return { content: [] }
    if (typeof value === "string") return { content: [text(value)] }
    const content = spec.content ? spec.content(value as never) : (value as CallToolResult["content"])
    return { content: [...content] }
  }
  return {
    name: tool.name,
    plugin,
    definition,
    redact: makeRedactor(definition.inputSchema as Readonly<Record<string, unknown>>),
    decode: makeDecoder(spec.input),
    timeoutMs: spec.timeout === undefined ? undefined : Duration.toMillis(Duration.fromInputUnsafe(spec.timeout)),
    run: (input, context) =>
      spec.handler(input, context).pipe(
        Effect.map(toResult),
        Effect.catch(
          (error: DomainError): Effect.Effect<CallToolResult | InputRequiredResult> =>
            error instanceof InputRequired
              ? toInputRequiredResult(error, context)
              : isInfrastructureError(error)
                ? Effect.die(error)
                : Effect.succeed(errorResult(error))
        ),
        provideServices(services)
      )
  }
}
