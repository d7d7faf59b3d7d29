/**
 * Drives requests through the real `Pipeline`, the way a transport would, without one.
 */
import { type McpRequest, type McpResult, makeRequest, Pipeline, type PipelineError } from "@bulwark/core"
import { Effect } from "effect"

/** An MCP request as a transport would hand it to the pipeline. */
export const request = (method: string, params: Record<string, unknown>): McpRequest => makeRequest(method, params)

/** Sends one request through the pipeline. */
export const handle = (
  method: string,
  params: Record<string, unknown>
): Effect.Effect<McpResult, PipelineError, Pipeline.Pipeline> =>
  Effect.flatMap(Pipeline.Pipeline, (pipeline) => pipeline.handle(request(method, params)))

/** The result of a tool call. */
export interface ToolResult {
  readonly isError?: boolean
  readonly structuredContent?: Record<string, unknown>
  readonly content: ReadonlyArray<{ readonly type: string; readonly text?: string }>
}

/** Calls a tool. */
export const callTool = (name: string, args: Record<string, unknown>) =>
  Effect.map(handle("tools/call", { name, arguments: args }), (result) => result as unknown as ToolResult)

/** The text of a tool result's first content block. */
export const textOf = (result: ToolResult): string => result.content[0]?.text ?? ""

/** Calls a tool that must succeed and returns its structured content, typed as the caller expects. */
export const callOk = <A>(name: string, args: Record<string, unknown>) =>
  Effect.flatMap(callTool(name, args), (result) =>
    result.isError === true || result.structuredContent === undefined
      ? Effect.die(new Error(`${name} failed: ${textOf(result)}`))
      : Effect.succeed(result.structuredContent as A)
  )
