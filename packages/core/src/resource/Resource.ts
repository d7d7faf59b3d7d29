/**
 * Declaring resources: at a fixed URI, or addressed by an RFC 6570 URI template (`ticket://{id}`) with listing and
 * completion of its variables. Like tools, a resource declares the domain errors a client may see (a read's
 * `ResourceNotFound` answers -32002) and the backends it calls.
 */
import type { Effect } from "effect"
import type { CachePolicy } from "../cache/CachePolicy.ts"
import type { InputRequired } from "../errors/InputRequired.ts"
import type { Declared, DomainErrorSchema } from "../errors/ToolError.ts"
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

/** What every resource declaration may say besides its metadata. */
export interface ResourcePolicy<Errors extends ReadonlyArray<DomainErrorSchema>> {
  /** The domain errors a client may see; anything else is an internal error (see `Tool`). */
  readonly errors?: Errors
  /** The backends a read calls, by name (a `backend` kill switch on one takes the resource out of service). */
  readonly backends?: ReadonlyArray<string>
  /**
   * Reuse of reads (see `CachePolicy`; `tags` get the URI template's variables, `{}` for a static resource). A
   * 2026-07-28 client is told how long it may keep the answer (`ttlMs`, `cacheScope: "private"`).
   */
  readonly cache?: CachePolicy<Readonly<Record<string, string>>>
}

type Body = ResourceBody | ReadonlyArray<ResourceBody>

/** A resource at a fixed URI. */
export interface StaticResource<R = never> extends ResourcePolicy<ReadonlyArray<DomainErrorSchema>> {
  readonly _tag: "StaticResource"
  readonly uri: string
  readonly info: ResourceInfo
  readonly read: (
    context: ToolContext
  ) => Effect.Effect<Body, Declared<ReadonlyArray<DomainErrorSchema>> | InputRequired, R>
}

/** One entry a template lists: a concrete resource behind the template. */
export interface ListedResource {
  readonly uri: string
  readonly name: string
  readonly description?: string
  readonly mimeType?: string
}

/** Resources addressed by an RFC 6570 URI template, e.g. `ticket://{id}`. */
export interface ResourceTemplate<R = never> extends ResourcePolicy<ReadonlyArray<DomainErrorSchema>> {
  readonly _tag: "ResourceTemplate"
  readonly uriTemplate: string
  readonly info: ResourceInfo
  /** Reads the resource the URI names; `variables` are the values matched in the URI. */
  readonly read: (
    variables: Readonly<Record<string, string>>,
    context: ToolContext
  ) => Effect.Effect<Body, Declared<ReadonlyArray<DomainErrorSchema>> | InputRequired, R>
  /** Lists concrete resources for `resources/list`, when enumerable. */
  readonly list?: (context: ToolContext) => Effect.Effect<ReadonlyArray<ListedResource>, unknown, R>
  /** Suggests values for a variable (`completion/complete`), given what the user typed so far. */
  readonly complete?: Readonly<
    Record<
      string,
      (
        value: string,
        context: ToolContext
      ) => Effect.Effect<ReadonlyArray<string>, Declared<ReadonlyArray<DomainErrorSchema>>, R>
    >
  >
}

/** A resource of a plugin: static or templated. */
export type Resource<R = never> = StaticResource<R> | ResourceTemplate<R>

/** Declares a resource at a fixed URI. */
export const make = <R, const Errors extends ReadonlyArray<DomainErrorSchema> = readonly []>(
  uri: string,
  spec: ResourceInfo &
    ResourcePolicy<Errors> & {
      readonly read: (context: ToolContext) => Effect.Effect<Body, Declared<Errors> | InputRequired, R>
    }
): StaticResource<R> => {
  const { read, errors, backends, cache, ...info } = spec
  return {
    _tag: "StaticResource",
    uri,
    info,
    read,
    ...(errors === undefined ? {} : { errors }),
    ...(backends === undefined ? {} : { backends }),
    ...(cache === undefined ? {} : { cache })
  }
}

/** Declares resources addressed by a URI template. */
export const template = <R, const Errors extends ReadonlyArray<DomainErrorSchema> = readonly []>(
  uriTemplate: string,
  spec: ResourceInfo &
    ResourcePolicy<Errors> & {
      readonly read: (
        variables: Readonly<Record<string, string>>,
        context: ToolContext
      ) => Effect.Effect<Body, Declared<Errors> | InputRequired, R>
      /** Failures of a listing are logged and the template left out of `resources/list`. */
      readonly list?: (context: ToolContext) => Effect.Effect<ReadonlyArray<ListedResource>, unknown, R>
      readonly complete?: Readonly<
        Record<
          string,
          (value: string, context: ToolContext) => Effect.Effect<ReadonlyArray<string>, Declared<Errors>, R>
        >
      >
    }
): ResourceTemplate<R> => {
  const { read, list, complete, errors, backends, cache, ...info } = spec
  return {
    _tag: "ResourceTemplate",
    uriTemplate,
    info,
    read,
    ...(list === undefined ? {} : { list }),
    ...(complete === undefined ? {} : { complete }),
    ...(errors === undefined ? {} : { errors }),
    ...(backends === undefined ? {} : { backends }),
    ...(cache === undefined ? {} : { cache })
  }
}
