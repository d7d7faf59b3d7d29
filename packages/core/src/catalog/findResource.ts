import type { CatalogShape } from "./Catalog.ts"
import type { ResourceReader } from "./CompiledResource.ts"

/** A resource a URI resolves to: the static URI or template that matched (a bounded name), and its reader. */
export interface FoundResource {
  readonly key: string
  readonly read: ResourceReader
}

/** Resolves a URI against the static resources first, then the templates in declaration order. */
export const findResource = (catalog: CatalogShape, uri: string): FoundResource | undefined => {
  const exact = catalog.resources.get(uri)
  if (exact !== undefined) return { key: exact.uri, read: exact.read }
  for (const template of catalog.templates) {
    const read = template.match(uri)
    if (read !== undefined) return { key: template.uriTemplate, read }
  }
  return undefined
}
