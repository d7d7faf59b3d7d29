/**
 * Resolving a resource URI: static resources first, then templates in declaration order.
 */

import type { ResolvedCachePolicy } from "../cache/CachePolicy.ts"
import type { CatalogShape } from "./Catalog.ts"
import type { ResourceReader } from "./CompiledResource.ts"

/** A resource a URI resolves to: the static URI or template that matched (a bounded name), and its reader. */
export interface FoundResource {
  readonly key: string
  readonly plugin: string
  /** The backends the resource or template declares its reads call. */
  readonly backends: ReadonlyArray<string>
  /** How reads of it may be reused, and the values its template matched (`{}` for a static resource). */
  readonly cache: ResolvedCachePolicy | undefined
  readonly variables: Readonly<Record<string, string>>
  readonly read: ResourceReader
}

const NO_VARIABLES: Readonly<Record<string, string>> = {}

/** Resolves a URI against the static resources first, then the templates in declaration order. */
export const findResource = (catalog: CatalogShape, uri: string): FoundResource | undefined => {
  const exact = catalog.resources.get(uri)
  if (exact !== undefined) {
    const { uri: key, plugin, backends, cache, read } = exact
    return { key, plugin, backends, cache, variables: NO_VARIABLES, read }
  }
  for (const template of catalog.templates) {
    const matched = template.match(uri)
    if (matched !== undefined) {
      const { uriTemplate: key, plugin, backends, cache } = template
      return { key, plugin, backends, cache, ...matched }
    }
  }
  return undefined
}
