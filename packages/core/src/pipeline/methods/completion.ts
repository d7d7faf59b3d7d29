/**
 * `completion/complete`: suggestions for a prompt argument or a template variable, at most 100 with the total.
 */
import { Effect } from "effect"
import type { CatalogShape } from "../../catalog/Catalog.ts"
import { invalidParams } from "../../errors/McpError.ts"
import type { NotifierShape } from "../../notify/Notifier.ts"
import type { McpResult, Params } from "../../request/McpRequest.ts"
import { makeToolContext } from "../../tool/ToolContext.ts"
import { CurrentCall } from "../Call.ts"
import type { Method } from "../Method.ts"
import type { Target } from "../Target.ts"
import { domainToMcp } from "./domainFailure.ts"

const MAX_COMPLETIONS = 100

const malformed = (message: string): Target => ({ _tag: "Malformed", error: invalidParams(message) })

const resolve = (catalog: CatalogShape, params: Params): Target => {
  const ref = params.ref as { type?: unknown; name?: unknown; uri?: unknown } | undefined
  const argument = params.argument as { name?: unknown; value?: unknown } | undefined
  if (typeof argument?.name !== "string" || typeof argument.value !== "string") {
    return malformed("params.argument must have a string name and value")
  }
  const named = { name: argument.name, value: argument.value }
  if (ref?.type === "ref/prompt" && typeof ref.name === "string") {
    return {
      _tag: "Completion",
      ref: { kind: "prompt", name: ref.name, prompt: catalog.prompts.get(ref.name) },
      argument: named
    }
  }
  if (ref?.type === "ref/resource" && typeof ref.uri === "string") {
    const template = catalog.templates.find((candidate) => candidate.uriTemplate === ref.uri)
    return { _tag: "Completion", ref: { kind: "resourceTemplate", uriTemplate: ref.uri, template }, argument: named }
  }
  return malformed("params.ref must be a ref/prompt with a name or a ref/resource with a uri")
}

/** The completion method over a catalog. */
export const completionMethod = (catalog: CatalogShape, notifier: NotifierShape): Method => ({
  name: "completion/complete",
  capabilities: { completions: {} },
  resolve: (params) => resolve(catalog, params),
  serve: (call) => {
    const target = call.target
    if (target._tag !== "Completion") return Effect.die(new Error(`completion/complete served a ${target._tag} target`))
    const context = makeToolContext(call, notifier)
    const { ref, argument } = target
    const completer =
      ref.kind === "prompt"
        ? ref.prompt?.complete(argument.name, argument.value, context)
        : ref.template?.complete(argument.name, argument.value, context)
    if (ref.kind === "prompt" && ref.prompt === undefined)
      return Effect.fail(invalidParams(`Unknown prompt: ${ref.name}`))
    if (ref.kind === "resourceTemplate" && ref.template === undefined) {
      return Effect.fail(invalidParams(`Unknown resource template: ${ref.uriTemplate}`))
    }
    if (completer === undefined) return Effect.succeed({ completion: { values: [], hasMore: false } })
    return completer.pipe(
      Effect.map(
        (values): McpResult => ({
          completion: {
            values: values.slice(0, MAX_COMPLETIONS),
            total: values.length,
            hasMore: values.length > MAX_COMPLETIONS
          }
        })
      ),
      domainToMcp,
      Effect.provideService(CurrentCall, call)
    )
  }
})
