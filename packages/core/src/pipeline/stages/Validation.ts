/**
 * The `validate` phase's own stages. First, a request whose params do not fit its method is answered (invalid
 * params). Then what the request names must exist, and a tool's or prompt's arguments are decoded against the
 * declared schema before any handler runs; the decoded input is passed to the rest of the chain with the call.
 * Invalid tool arguments come back as a tool error naming each field and what was expected (unknown ones with the
 * accepted ones), so the agent can correct itself; an unknown tool, prompt or resource and invalid prompt arguments
 * are JSON-RPC errors. The admit phase runs before this one, so a principal learns nothing about what it may not use.
 */
import { Effect, Result } from "effect"
import { text } from "../../content/Content.ts"
import { invalidParams, resourceNotFound } from "../../errors/McpError.ts"
import { describeIssues } from "../../schema/Decoder.ts"
import * as Stage from "../Stage.ts"

/** Answers a request whose params do not fit its method. */
export const malformed = Stage.make(
  "malformed-params",
  "validate",
  (next) => (call) => (call.target._tag === "Malformed" ? Effect.fail(call.target.error) : next(call)),
  { order: -1 }
)

/** Decodes the input of tool calls and prompts, and checks that resources exist. */
export const validation = Stage.make("validation", "validate", (next) => (call) => {
  const target = call.target
  switch (target._tag) {
    case "ToolCall": {
      const tool = target.tool
      if (tool === undefined) return Effect.fail(invalidParams(`Unknown tool: ${target.name}`))
      const decoded = tool.decode(target.arguments)
      if (Result.isFailure(decoded)) {
        return Effect.succeed({
          content: [text(`Invalid arguments for tool "${tool.name}": ${describeIssues(decoded.failure)}`)],
          isError: true
        })
      }
      return next({ ...call, input: decoded.success })
    }
    case "PromptGet": {
      const prompt = target.prompt
      if (prompt === undefined) return Effect.fail(invalidParams(`Unknown prompt: ${target.name}`))
      const decoded = prompt.decode(target.arguments)
      if (Result.isFailure(decoded)) {
        return Effect.fail(
          invalidParams(`Invalid arguments for prompt "${prompt.name}": ${describeIssues(decoded.failure)}`, {
            issues: decoded.failure
          })
        )
      }
      return next({ ...call, input: decoded.success })
    }
    case "ResourceAccess":
      return target.resource === undefined ? Effect.fail(resourceNotFound(target.uri)) : next(call)
    default:
      return next(call)
  }
})
