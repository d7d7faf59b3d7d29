/**
 * `prompts/list` and `prompts/get`.
 */
import { Effect } from "effect"
import type { CatalogShape } from "../../catalog/Catalog.ts"
import { invalidParams } from "../../errors/McpError.ts"
import type { NotifierShape } from "../../notify/Notifier.ts"
import type { McpResult } from "../../request/McpRequest.ts"
import { makeToolContext } from "../../tool/ToolContext.ts"
import { CurrentCall } from "../Call.ts"
import type { Method } from "../Method.ts"
import { domainToMcp } from "./domainFailure.ts"
import { argumentsOf, listingMethod, requiredString } from "./params.ts"
import { notValidated } from "./tools.ts"

const capabilities = { prompts: { listChanged: true } }

/** The prompt methods over a catalog. */
export const promptMethods = (catalog: CatalogShape, notifier: NotifierShape): ReadonlyArray<Method> => {
  const list = { prompts: [...catalog.prompts.values()].map((prompt) => prompt.definition) }
  return [
    listingMethod("prompts/list", "prompts", list, capabilities),
    {
      name: "prompts/get",
      capabilities,
      resolve: (params) => {
        const name = requiredString(params, "name")
        if (typeof name !== "string") return name
        return { _tag: "PromptGet", name, prompt: catalog.prompts.get(name), arguments: argumentsOf(params) }
      },
      serve: (call) => {
        const target = call.target
        if (target._tag !== "PromptGet" || target.prompt === undefined) {
          return Effect.fail(invalidParams("Unknown prompt"))
        }
        if (!("input" in call)) return notValidated("prompts/get")
        return target.prompt.get(call.input, makeToolContext(call, notifier)).pipe(
          Effect.map((result): McpResult => result as McpResult),
          domainToMcp,
          Effect.provideService(CurrentCall, call)
        )
      }
    }
  ]
}
