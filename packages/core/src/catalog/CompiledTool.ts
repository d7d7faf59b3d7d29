/**
 * A tool compiled once at start-up: its listing (JSON Schema derived once), its decoder, its redactor, its policy
 * (backends, timeout) and a runner bound to its plugin's services. The runner turns the handler's declared domain
 * errors into `isError` results and its `InputRequired` into `input_required`; anything else it lets through is a
 * defect, answered as an internal error.
 */
import type { CallToolResult, InputRequiredResult, Tool as McpTool } from "@modelcontextprotocol/server"
import { type Context, Duration, Effect, Schema } from "effect"
import type { BackendUnavailable } from "../backend/Backend.ts"
import { type CachePolicy, type ResolvedCachePolicy, resolve as resolveCache } from "../cache/CachePolicy.ts"
import { text } from "../content/Content.ts"
import { InputRequired } from "../errors/InputRequired.ts"
import { type DomainError, declaredBy } from "../errors/ToolError.ts"
import { type Decoder, makeDecoder } from "../schema/Decoder.ts"
import { toJsonSchema } from "../schema/JsonSchema.ts"
import { makeRedactor } from "../schema/Redaction.ts"
import { annotations, type Tool } from "../tool/Tool.ts"
import type { ToolContext } from "../tool/ToolContext.ts"
import { toInputRequiredResult } from "./inputRequired.ts"
import { provideServices } from "./provideServices.ts"

/** How a compiled tool runs as a long-running task. */
export interface CompiledTaskSupport {
  readonly mode: "optional" | "required"
  /** Questions asked before the task is created (their answers are kept with it). */
  readonly before: ((input: unknown, context: ToolContext) => Effect.Effect<unknown, InputRequired>) | undefined
  /** How long the task and its result are kept, when the tool says. */
  readonly keepMs: number | undefined
  /** How many runs before the job is given up. */
  readonly maxAttempts: number
}

/** A tool ready to serve. */
export interface CompiledTool {
  readonly name: string
  readonly plugin: string
  readonly definition: McpTool
  readonly decode: Decoder<unknown>
  readonly timeoutMs: number | undefined
  /** The backends the tool declares it calls. */
  readonly backends: ReadonlyArray<string>
  /** The backends one call calls, from its decoded input, when the tool picks them per call. */
  readonly backendsOf: ((input: unknown) => ReadonlyArray<string>) | undefined
  /** Copies arguments with the fields the input schema marks sensitive replaced, for logs and the audit log. */
  readonly redact: (args: unknown) => unknown
  /** Runs the handler on decoded input; declared domain errors become `isError` results, anything else a defect. */
  readonly run: (input: unknown, context: ToolContext) => Effect.Effect<CallToolResult | InputRequiredResult>
  /** How its answers may be reused, when it declares it. */
  readonly cache: ResolvedCachePolicy | undefined
  /** The cache tags a successful call invalidates. */
  readonly invalidates: ((input: unknown) => ReadonlyArray<string>) | undefined
  /** The resource URIs a successful call changes (their subscribers are told). */
  readonly updatesResources: ((input: unknown) => ReadonlyArray<string>) | undefined
  /** Whether a call may be repeated safely (the tool only reads, or says it is idempotent): only such calls are retried. */
  readonly idempotent: boolean
  /** How it runs as a long-running task, when it declares it. */
  readonly task: CompiledTaskSupport | undefined
  /** The answer when a backend is unavailable: the tool's fallback marked degraded, or a tool error naming the backend. */
  readonly unavailable: (input: unknown, failure: BackendUnavailable) => Effect.Effect<CallToolResult>
}

/** The `_meta` key of a result answered without its backend: which backend, why, when to retry. */
export const DEGRADED_META_KEY = "io.bulwark/degraded"

/** What a result says about the backend it could not use. */
const unavailableMeta = (failure: BackendUnavailable) => ({
  [DEGRADED_META_KEY]: {
    backend: failure.backend,
    reason: failure.reason,
    retryAfterSeconds: failure.retryAfterSeconds
  }
})

/** The tool error an agent gets when a backend is unavailable and the tool has no fallback. */
export const unavailableResult = (failure: BackendUnavailable): CallToolResult => ({
  content: [text(failure.message)],
  isError: true,
  _meta: unavailableMeta(failure)
})

/** The text beside `structuredContent`: the same value, compact (a model reads both; indentation only adds tokens). */
const stringify = (value: unknown): string => JSON.stringify(value) ?? "null"

/** Renders a domain error as the tool result an agent reads. */
export const errorResult = (error: DomainError): CallToolResult => ({
  content: [text(error.message)],
  isError: true
})

/** Compiles a declared tool against the services of its plugin. */
export const compileTool = <R>(plugin: string, tool: Tool<R>, services: Context.Context<R>): CompiledTool => {
  const withServices = provideServices(services)
  const spec = tool.spec
  const hints = annotations(spec.hints)
  const output = spec.output
  const declared = declaredBy(spec.errors)
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
  const fallback = spec.fallback
  const task = spec.task
  return {
    task:
      task === undefined
        ? undefined
        : {
            mode: task.mode,
            before:
              task.before === undefined ? undefined : (input, context) => task.before?.(input, context) ?? Effect.void,
            keepMs: task.keep === undefined ? undefined : Duration.toMillis(Duration.fromInputUnsafe(task.keep)),
            maxAttempts: task.maxAttempts ?? 3
          },
    name: tool.name,
    plugin,
    definition,
    idempotent: spec.hints?.readOnly === true || spec.hints?.idempotent === true,
    cache: spec.cache === undefined ? undefined : resolveCache(spec.cache as CachePolicy<never>),
    invalidates: spec.invalidates as ((input: unknown) => ReadonlyArray<string>) | undefined,
    updatesResources: spec.updatesResources as ((input: unknown) => ReadonlyArray<string>) | undefined,
    unavailable: (input, failure) =>
      fallback === undefined
        ? Effect.succeed(unavailableResult(failure))
        : fallback(input, failure).pipe(
            Effect.map((value) => {
              const result = toResult(value)
              const note = text(`Degraded answer (the tool's fallback): ${failure.message}`)
              return {
                ...result,
                content: [note, ...result.content],
                _meta: { ...result._meta, ...unavailableMeta(failure) }
              }
            }),
            withServices
          ),
    backends: spec.backends ?? [],
    backendsOf: spec.backendsOf as ((input: unknown) => ReadonlyArray<string>) | undefined,
    redact: makeRedactor(definition.inputSchema as Readonly<Record<string, unknown>>),
    decode: makeDecoder(spec.input, { noun: "argument", allowNul: spec.allowNulCharacters === true }),
    timeoutMs: spec.timeout === undefined ? undefined : Duration.toMillis(Duration.fromInputUnsafe(spec.timeout)),
    run: (input, context) =>
      spec.handler(input, context).pipe(
        Effect.map(toResult),
        Effect.catch(
          (error: unknown): Effect.Effect<CallToolResult | InputRequiredResult> =>
            error instanceof InputRequired
              ? toInputRequiredResult(error, context)
              : declared(error)
                ? Effect.succeed(errorResult(error as DomainError))
                : Effect.die(error)
        ),
        withServices
      )
  }
}
