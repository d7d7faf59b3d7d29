import { Effect, Result } from "effect"
import type { CatalogShape } from "../../catalog/Catalog.ts"
import { findResource } from "../../catalog/findResource.ts"
import { text } from "../../content/Content.ts"
import { ErrorCode, invalidParams, McpError } from "../../errors/McpError.ts"
import { describeIssues } from "../../schema/Decoder.ts"
import * as Stage from "../Stage.ts"

const requireString = (params: Readonly<Record<string, unknown>>, key: string) => {
  const value = params[key]
  return typeof value === "string" && value !== ""
    ? Effect.succeed(value)
    : Effect.fail(invalidParams(`params.${key} must be a non-empty string`))
}

/**
 * Finds what the request is about (tool, prompt, resource) and validates its input against the declared schema
 * before any handler runs. Invalid tool arguments come back as a tool error naming each field and what was expected,
 * so the agent can correct itself; an unknown tool or prompt and invalid prompt arguments are JSON-RPC errors.
 */
export const validation = (catalog: CatalogShape) =>
  Stage.make("validation", (next) => (call) => {
    const params = call.request.params
    switch (call.request.method) {
      case "tools/call":
        return Effect.flatMap(requireString(params, "name"), (name) => {
          const tool = catalog.tools.get(name)
          if (tool === undefined) return Effect.fail(invalidParams(`Unknown tool: ${name}`))
          call.target = name
          call.label = name
          call.timeoutMs = tool.timeoutMs
          const decoded = tool.decode(params.arguments ?? {})
          if (Result.isFailure(decoded)) {
            return Effect.succeed({
              content: [text(`Invalid arguments for tool "${name}": ${describeIssues(decoded.failure)}`)],
              isError: true
            })
          }
          call.input = decoded.success
          return next(call)
        })
      case "prompts/get":
        return Effect.flatMap(requireString(params, "name"), (name) => {
          const prompt = catalog.prompts.get(name)
          if (prompt === undefined) return Effect.fail(invalidParams(`Unknown prompt: ${name}`))
          call.target = name
          call.label = name
          const decoded = prompt.decode(params.arguments ?? {})
          if (Result.isFailure(decoded)) {
            return Effect.fail(
              invalidParams(`Invalid arguments for prompt "${name}": ${describeIssues(decoded.failure)}`, {
                issues: decoded.failure
              })
            )
          }
          call.input = decoded.success
          return next(call)
        })
      case "resources/read":
      case "resources/subscribe":
      case "resources/unsubscribe":
        return Effect.flatMap(requireString(params, "uri"), (uri) => {
          const found = findResource(catalog, uri)
          if (found === undefined) {
            return Effect.fail(
              new McpError({ code: ErrorCode.ResourceNotFound, message: `Resource not found: ${uri}`, data: { uri } })
            )
          }
          call.target = uri
          call.label = found.key
          call.input = found
          return next(call)
        })
      default:
        return next(call)
    }
  })
