/**
 * `resources/list`, `resources/templates/list`, `resources/read`, `resources/subscribe` and
 * `resources/unsubscribe`. A URI resolves to its static resource or matching template once, when the target is
 * resolved. One template's failing listing does not hide the others: it is logged and left out.
 */
import { Effect } from "effect"
import type { CatalogShape } from "../../catalog/Catalog.ts"
import { findResource } from "../../catalog/findResource.ts"
import { resourceNotFound } from "../../errors/McpError.ts"
import type { NotifierShape } from "../../notify/Notifier.ts"
import type { McpResult } from "../../request/McpRequest.ts"
import { makeToolContext } from "../../tool/ToolContext.ts"
import { CurrentCall } from "../Call.ts"
import type { Method } from "../Method.ts"
import type { ResourceAccess } from "../Target.ts"
import { domainToMcp } from "./domainFailure.ts"
import { listingMethod, requiredString } from "./params.ts"

const capabilities = { resources: { subscribe: true, listChanged: true } }

/** The resource methods over a catalog. */
export const resourceMethods = (catalog: CatalogShape, notifier: NotifierShape): ReadonlyArray<Method> => {
  const templateList = { resourceTemplates: catalog.templates.map((template) => template.definition) }
  const staticResources = [...catalog.resources.values()].map((resource) => resource.definition)
  const access = (name: string, action: ResourceAccess["action"]): Method => ({
    name,
    capabilities,
    resolve: (params) => {
      const uri = requiredString(params, "uri")
      if (typeof uri !== "string") return uri
      return { _tag: "ResourceAccess", action, uri, resource: findResource(catalog, uri) }
    },
    serve: (call) => {
      const target = call.target
      if (target._tag !== "ResourceAccess") return Effect.die(new Error(`${name} served a ${target._tag} target`))
      if (target.resource === undefined) return Effect.fail(resourceNotFound(target.uri))
      // The resource exists; the transport remembers a subscription for its connection.
      if (action !== "read") return Effect.succeed({})
      return target.resource.read(makeToolContext(call, notifier)).pipe(
        Effect.map((result): McpResult => result as McpResult),
        domainToMcp,
        Effect.provideService(CurrentCall, call)
      )
    }
  })
  return [
    listingMethod("resources/templates/list", "resourceTemplates", templateList, capabilities),
    {
      name: "resources/list",
      capabilities,
      resolve: () => ({ _tag: "Listing", kind: "resources" }),
      serve: (call) => {
        const context = makeToolContext(call, notifier)
        return Effect.forEach(
          catalog.templates,
          (template) =>
            template.list === undefined
              ? Effect.succeed([])
              : template
                  .list(context)
                  .pipe(
                    Effect.catch((error) =>
                      Effect.logWarning(`listing resources of ${template.uriTemplate} failed`, error).pipe(
                        Effect.as([])
                      )
                    )
                  ),
          { concurrency: "unbounded" }
        ).pipe(
          Effect.map((listed): McpResult => ({ resources: [...staticResources, ...listed.flat()] })),
          Effect.provideService(CurrentCall, call)
        )
      }
    },
    access("resources/read", "read"),
    access("resources/subscribe", "subscribe"),
    access("resources/unsubscribe", "unsubscribe")
  ]
}
