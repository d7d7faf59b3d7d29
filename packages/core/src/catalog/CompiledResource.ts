/**
 * Resources compiled once at start-up: static resources by URI, templates with their matcher, listing and
 * completions, all bound to their plugin's services, with their declared domain errors as the only failures a
 * client sees.
 */

import type {
  InputRequiredResult,
  Resource as McpResource,
  ResourceTemplateType as McpResourceTemplate,
  ReadResourceResult
} from "@modelcontextprotocol/server"
import { UriTemplate } from "@modelcontextprotocol/server"
import { type Context, Effect } from "effect"
import { type CachePolicy, type ResolvedCachePolicy, resolve as resolveCache } from "../cache/CachePolicy.ts"
import { type DomainError, declaredBy } from "../errors/ToolError.ts"
import type { ListedResource, ResourceBody, ResourceTemplate, StaticResource } from "../resource/Resource.ts"
import type { ToolContext } from "../tool/ToolContext.ts"
import { admitDeclared, onlyDeclared } from "./inputRequired.ts"
import { provideServices } from "./provideServices.ts"

/** A resource read ready to run, bound to its plugin's services; a handler's `InputRequired` becomes `input_required`. */
export type ResourceReader = (
  context: ToolContext
) => Effect.Effect<ReadResourceResult | InputRequiredResult, DomainError>

/** A static resource ready to serve. */
export interface CompiledStaticResource {
  readonly uri: string
  readonly plugin: string
  /** The backends the resource declares it calls. */
  readonly backends: ReadonlyArray<string>
  /** How its reads may be reused, when it declares it. */
  readonly cache: ResolvedCachePolicy | undefined
  readonly definition: McpResource
  readonly read: ResourceReader
}

/** A resource template ready to serve: matching, reading, listing and completing. */
export interface CompiledTemplate {
  readonly uriTemplate: string
  readonly plugin: string
  /** The backends the template declares its reads call. */
  readonly backends: ReadonlyArray<string>
  /** How its reads may be reused, when it declares it. */
  readonly cache: ResolvedCachePolicy | undefined
  readonly definition: McpResourceTemplate
  /** The reader for a URI this template matches, with the values it matched; undefined when it does not match. */
  readonly match: (
    uri: string
  ) => { readonly read: ResourceReader; readonly variables: Readonly<Record<string, string>> } | undefined
  readonly list: ((context: ToolContext) => Effect.Effect<ReadonlyArray<ListedResource>, unknown>) | undefined
  readonly complete: (
    variable: string,
    value: string,
    context: ToolContext
  ) => Effect.Effect<ReadonlyArray<string>, DomainError> | undefined
}

const toBase64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64")

const toContents = (
  uri: string,
  mimeType: string | undefined,
  body: ResourceBody | ReadonlyArray<ResourceBody>
): ReadResourceResult => {
  const bodies: ReadonlyArray<ResourceBody> = Array.isArray(body) ? body : [body as ResourceBody]
  return {
    contents: bodies.map((item) => {
      const itemUri = item.uri ?? uri
      if ("text" in item) {
        const type = item.mimeType ?? mimeType
        return { uri: itemUri, text: item.text, ...(type === undefined ? {} : { mimeType: type }) }
      }
      return { uri: itemUri, blob: toBase64(item.blob), mimeType: item.mimeType }
    })
  }
}

const info = (resource: StaticResource<unknown> | ResourceTemplate<unknown>) => ({
  name: resource.info.name,
  ...(resource.info.title === undefined ? {} : { title: resource.info.title }),
  ...(resource.info.description === undefined ? {} : { description: resource.info.description }),
  ...(resource.info.mimeType === undefined ? {} : { mimeType: resource.info.mimeType })
})

/** Compiles a static resource against the services of its plugin. */
export const compileStatic = <R>(
  plugin: string,
  resource: StaticResource<R>,
  services: Context.Context<R>
): CompiledStaticResource => {
  const withServices = provideServices(services)
  const declared = declaredBy(resource.errors)
  return {
    uri: resource.uri,
    plugin,
    backends: resource.backends ?? [],
    cache: resource.cache === undefined ? undefined : resolveCache(resource.cache as CachePolicy<never>),
    definition: { uri: resource.uri, ...info(resource) },
    read: (context) =>
      resource.read(context).pipe(
        Effect.map((body) => toContents(resource.uri, resource.info.mimeType, body)),
        admitDeclared(declared, context),
        withServices
      )
  }
}

/** Compiles a resource template against the services of its plugin. */
export const compileTemplate = <R>(
  plugin: string,
  resource: ResourceTemplate<R>,
  services: Context.Context<R>
): CompiledTemplate => {
  const withServices = provideServices(services)
  const template = new UriTemplate(resource.uriTemplate)
  const list = resource.list
  const declared = declaredBy(resource.errors)
  return {
    uriTemplate: resource.uriTemplate,
    plugin,
    backends: resource.backends ?? [],
    cache: resource.cache === undefined ? undefined : resolveCache(resource.cache as CachePolicy<never>),
    definition: { uriTemplate: resource.uriTemplate, ...info(resource) },
    match: (uri) => {
      const matched = template.match(uri)
      if (matched === null) return undefined
      const variables: Record<string, string> = {}
      for (const [key, value] of Object.entries(matched)) {
        variables[key] = Array.isArray(value) ? value.join(",") : String(value)
      }
      const read: ResourceReader = (context) =>
        resource.read(variables, context).pipe(
          Effect.map((body) => toContents(uri, resource.info.mimeType, body)),
          admitDeclared(declared, context),
          withServices
        )
      return { read, variables }
    },
    list: list === undefined ? undefined : (context) => list(context).pipe(withServices),
    complete: (variable, value, context) => {
      const completer = resource.complete?.[variable]
      return completer === undefined ? undefined : completer(value, context).pipe(onlyDeclared(declared), withServices)
    }
  }
}
