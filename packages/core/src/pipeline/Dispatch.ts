import type { CallToolResult, CompleteResult } from "@modelcontextprotocol/server"
import { Effect } from "effect"
import type { CatalogShape } from "../catalog/Catalog.ts"
import type { FoundResource } from "../catalog/findResource.ts"
import { isInfrastructureError } from "../errors/InfrastructureError.ts"
import { ErrorCode, invalidParams, McpError } from "../errors/McpError.ts"
import type { DomainError } from "../errors/ToolError.ts"
import type { NotifierShape } from "../notify/Notifier.ts"
import { type CallState, CurrentCall } from "../request/CurrentCall.ts"
import type { McpResult } from "../request/McpRequest.ts"
import { makeToolContext } from "../tool/ToolContext.ts"
import type { Handler } from "./Stage.ts"

const MAX_COMPLETIONS = 100

/** A domain failure of a resource read or prompt: there is no `isError` result for those, so it is a JSON-RPC error. */
const toMcp = (error: DomainError): McpError =>
  error._tag === "ResourceNotFound"
    ? new McpError({
        code: ErrorCode.ResourceNotFound,
        message: error.message,
        // SEP-2164: the requested URI in `data` is how clients tell "not found" from other invalid params.
        ...("uri" in error && typeof error.uri === "string" ? { data: { uri: error.uri } } : {})
      })
    : new McpError({ code: ErrorCode.InvalidParams, message: error.message })

/** Maps a handler's failure: domain errors become JSON-RPC errors, leaked infrastructure errors become defects. */
const domainToMcp = <A, R>(effect: Effect.Effect<A, DomainError, R>): Effect.Effect<A, McpError, R> =>
  Effect.catch(effect, (error) => (isInfrastructureError(error) ? Effect.die(error) : Effect.fail(toMcp(error))))

const asResult = (value: object): McpResult => value as McpResult

/**
 * Marks a listing that depends on who asks as private to that caller (2026-07-28 `cacheScope`), so that no shared
 * cache hands one tenant's view to another. 2025-era results carry no cache fields.
 */
const scoped = (call: CallState, result: Record<string, unknown>): McpResult =>
  call.request.era === "modern" ? { ...result, cacheScope: "private" } : result

/** The end of the pipeline: runs the operation the request names against the catalog. */
export const dispatch = (catalog: CatalogShape, notifier: NotifierShape): Handler => {
  const toolList = { tools: [...catalog.tools.values()].map((tool) => tool.definition) }
  const promptList = { prompts: [...catalog.prompts.values()].map((prompt) => prompt.definition) }
  const templateList = { resourceTemplates: catalog.templates.map((template) => template.definition) }
  const staticResources = [...catalog.resources.values()].map((resource) => resource.definition)

  return (call) => {
    const context = makeToolContext(call, notifier)
    const provide = <A, E>(effect: Effect.Effect<A, E, CurrentCall>) => Effect.provideService(effect, CurrentCall, call)
    switch (call.request.method) {
      case "tools/list":
        return Effect.succeed(
          call.access === undefined
            ? toolList
            : scoped(call, { tools: toolList.tools.filter((tool) => call.access!.tool(tool.name)) })
        )
      case "tools/call": {
        const tool = catalog.tools.get(call.target as string)!
        return tool.run(call.input, context).pipe(
          Effect.map((result) => asResult(result as CallToolResult)),
          Effect.withSpan(`tool ${tool.name}`, {
            attributes: { "mcp.tool.name": tool.name, "mcp.plugin": tool.plugin }
          }),
          provide
        )
      }
      case "prompts/list":
        return Effect.succeed(
          call.access === undefined
            ? promptList
            : scoped(call, { prompts: promptList.prompts.filter((prompt) => call.access!.prompt(prompt.name)) })
        )
      case "prompts/get": {
        const prompt = catalog.prompts.get(call.target as string)!
        return prompt.get(call.input, context).pipe(Effect.map(asResult), domainToMcp, provide)
      }
      case "resources/templates/list":
        return Effect.succeed(
          call.access === undefined
            ? templateList
            : scoped(call, {
                resourceTemplates: templateList.resourceTemplates.filter((template) =>
                  call.access!.resource(template.uriTemplate)
                )
              })
        )
      case "resources/list": {
        const access = call.access
        const templates =
          access === undefined ? catalog.templates : catalog.templates.filter((t) => access.resource(t.uriTemplate))
        const statics = access === undefined ? staticResources : staticResources.filter((r) => access.resource(r.uri))
        // One plugin's failing listing must not hide every other resource: it is logged and left out.
        return Effect.forEach(
          templates,
          (template) =>
            template.list === undefined
              ? Effect.succeed([])
              : template
                  .list(context)
                  .pipe(
                    Effect.catch((error) =>
                      Effect.logWarning(`listing resources of ${template.uriTemplate} failed: ${error.message}`).pipe(
                        Effect.as([])
                      )
                    )
                  ),
          { concurrency: "unbounded" }
        ).pipe(
          Effect.map((listed) => {
            const result = { resources: [...statics, ...listed.flat()] }
            return access === undefined ? result : scoped(call, result)
          }),
          provide
        )
      }
      case "resources/read":
        return (call.input as FoundResource).read(context).pipe(Effect.map(asResult), domainToMcp, provide)
      case "resources/subscribe":
      case "resources/unsubscribe":
        // The resource exists (validated); the transport remembers the subscription for its connection.
        return Effect.succeed({})
      case "completion/complete":
        return complete(catalog, call.request.params, context).pipe(Effect.map(asResult), provide)
      default:
        return Effect.fail(
          new McpError({ code: ErrorCode.MethodNotFound, message: `Method not found: ${call.request.method}` })
        )
    }
  }
}

const complete = (
  catalog: CatalogShape,
  params: Readonly<Record<string, unknown>>,
  context: ReturnType<typeof makeToolContext>
): Effect.Effect<CompleteResult, McpError, CurrentCall> => {
  const ref = params.ref as { type?: unknown; name?: unknown; uri?: unknown } | undefined
  const argument = params.argument as { name?: unknown; value?: unknown } | undefined
  if (typeof argument?.name !== "string" || typeof argument.value !== "string") {
    return Effect.fail(invalidParams("params.argument must have a string name and value"))
  }
  let completer: Effect.Effect<ReadonlyArray<string>, DomainError> | undefined
  if (ref?.type === "ref/prompt" && typeof ref.name === "string") {
    const prompt = catalog.prompts.get(ref.name)
    if (prompt === undefined) return Effect.fail(invalidParams(`Unknown prompt: ${ref.name}`))
    completer = prompt.complete(argument.name, argument.value, context)
  } else if (ref?.type === "ref/resource" && typeof ref.uri === "string") {
    const template = catalog.templates.find((candidate) => candidate.uriTemplate === ref.uri)
    if (template === undefined) return Effect.fail(invalidParams(`Unknown resource template: ${ref.uri}`))
    completer = template.complete(argument.name, argument.value, context)
  } else {
    return Effect.fail(invalidParams("params.ref must be a ref/prompt with a name or a ref/resource with a uri"))
  }
  if (completer === undefined) return Effect.succeed({ completion: { values: [], hasMore: false } })
  return completer.pipe(
    Effect.map((values) => ({
      completion: {
        values: values.slice(0, MAX_COMPLETIONS),
        total: values.length,
        hasMore: values.length > MAX_COMPLETIONS
      }
    })),
    domainToMcp
  )
}
