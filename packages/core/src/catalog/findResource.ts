/**
 * Resolving a resource URI: static resources first, then templates in declaration order.
 */
import type { CatalogShape } from "./Catalog.ts"
import type { ResourceReader } from "./CompiledResource.ts"

/** A resource a URI resolves to: the static URI or template that matched (a bounded name), and its reader. */
export interface FoundResource {
  readonly key: string
  readonly plugin: string
  /** The backends the resource or template declares its reads call. */
  readonly backends: ReadonlyArray<string>
  readonly read: ResourceReader
}

/** Resolves a URI against the static resources first, then the templates in declaration order. */
export const findResource = (catalog: CatalogShape, uri: string): FoundResource | undefined => {
  const exact = catalog.resources.get(uri)
  if (exact !== undefined) return { key: exact.uri, plugin: exact.plugin, backends: exact.backends, read: exact.read }
  for (const template of catalog.templates) {
    const read = template.match(uri)
    if (read !== undefined) {
      return { key: template.uriTemplate, plugin: template.plugin, backends: template.backends, read }
    }
  }
  return undefined
}
