import type { Effect } from "effect"
import type { DomainError } from "../errors/ToolError.ts"
import type { ToolContext } from "../tool/ToolContext.ts"

/** The body of a resource read: text, or binary with its MIME type. */
export type ResourceBody =
  | { readonly uri?: string; readonly text: string; readonly mimeType?: string }
  | { readonly uri?: string; readonly blob: Uint8Array; readonly mimeType: string }

/** Metadata shown in `resources/list` and `resources/templates/list`. */
export interface ResourceInfo {
  readonly name: string
  readonly title?: string
  readonly description?: string
  readonly mimeType?: string
}

/** A resource at a fixed URI. */
export interface StaticResource<R = never> {
  readonly _tag: "StaticResource"
  readonly uri: string
  readonly info: ResourceInfo
  readonly read: (context: ToolContext) => Effect.Effect<ResourceBody | ReadonlyArray<ResourceBody>, DomainError, R>
}

/** One entry a template lists: a concrete resource behind the template. */
export interface ListedResource {
  readonly uri: string
  readonly name: string
  readonly description?: string
  readonly mimeType?: string
}

/** Resources addressed by an RFC 6570 URI template, e.g. `ticket://{id}`. */
export interface ResourceTemplate<R = never> {
  readonly _tag: "ResourceTemplate"
  readonly uriTemplate: string
  readonly info: ResourceInfo
  /** Reads the resource the URI names; `variables` are the values matched in the URI. */
  readonly read: (
    variables: Readonly<Record<string, string>>,
    context: ToolContext
  ) => Effect.Effect<ResourceBody | ReadonlyArray<ResourceBody>, DomainError, R>
  /** Lists concrete resources for `resources/list`, when enumerable. */
  readonly list?: (context: ToolContext) => Effect.Effect<ReadonlyArray<ListedResource>, DomainError, R>
  /** Suggests values for a variable (`completion/complete`), given what the user typed so far. */
  readonly complete?: Readonly<
    Record<string, (value: string, context: ToolContext) => Effect.Effect<ReadonlyArray<string>, DomainError, R>>
  >
}

/** A resource of a plugin: static or templated. */
export type Resource<R = never> = StaticResource<R> | ResourceTemplate<R>

/** Declares a resource at a fixed URI. */
export const make = <R, E extends DomainError>(
  uri: string,
  spec: ResourceInfo & {
    readonly read: (context: ToolContext) => Effect.Effect<ResourceBody | ReadonlyArray<ResourceBody>, E, R>
  }
): StaticResource<R> => {
  const { read, ...info } = spec
  return { _tag: "StaticResource", uri, info, read }
}

/** Declares resources addressed by a URI template. */
export const template = <R, E extends DomainError>(
  uriTemplate: string,
  spec: ResourceInfo & {
    readonly read: (
      variables: Readonly<Record<string, string>>,
      context: ToolContext
    ) => Effect.Effect<ResourceBody | ReadonlyArray<ResourceBody>, E, R>
    readonly list?: (context: ToolContext) => Effect.Effect<ReadonlyArray<ListedResource>, E, R>
    readonly complete?: Readonly<
      Record<string, (value: string, context: ToolContext) => Effect.Effect<ReadonlyArray<string>, E, R>>
    >
  }
): ResourceTemplate<R> => {
  const { read, list, complete, ...info } = spec
  return {
    _tag: "ResourceTemplate",
    uriTemplate,
    info,
    read,
    ...(list === undefined ? {} : { list }),
    ...(complete === undefined ? {} : { complete })
  }
}
