/**
 * What a principal may see and use: the tenant's allow-list (deny by default), AND the scopes each item requires,
 * AND no kill switch on the item, its plugin or one of the backends it declares. Anything the catalog does not have
 * is never allowed, so "does not exist" and "not allowed" look the same.
 *
 * @since 0.1.0
 */
import type { Access, CatalogShape } from "@bulwark/core"
import type { SwitchSnapshot } from "./Switches.ts"
import { lookup, type TenantConfig } from "./TenantConfig.ts"

/** A kind of catalog item. */
export type ItemKind = "tool" | "resource" | "prompt"

/** Where a catalog item comes from and what it calls, as its declaration says. */
export interface ItemPolicy {
  readonly plugin: string
  readonly backends: ReadonlyArray<string>
}

/** Every catalog item's plugin and backends, by kind and name (resources by static URI or URI template). */
export interface CatalogIndex {
  readonly tool: ReadonlyMap<string, ItemPolicy>
  readonly resource: ReadonlyMap<string, ItemPolicy>
  readonly prompt: ReadonlyMap<string, ItemPolicy>
}

const entry = (item: { readonly plugin: string; readonly backends: ReadonlyArray<string> }): ItemPolicy => ({
  plugin: item.plugin,
  backends: item.backends
})

/** Indexes a catalog once. */
export const indexCatalog = (catalog: CatalogShape): CatalogIndex => ({
  tool: new Map([...catalog.tools.values()].map((tool) => [tool.name, entry(tool)])),
  resource: new Map([
    ...[...catalog.resources.values()].map((resource): [string, ItemPolicy] => [resource.uri, entry(resource)]),
    ...catalog.templates.map((template): [string, ItemPolicy] => [template.uriTemplate, entry(template)])
  ]),
  prompt: new Map([...catalog.prompts.values()].map((prompt) => [prompt.name, entry(prompt)]))
})

/** What access is computed from. */
export interface AccessInput {
  readonly config: TenantConfig
  readonly scopes: ReadonlyArray<string>
  readonly switches: SwitchSnapshot
  readonly catalog: CatalogIndex
}

const allowList = (config: TenantConfig, kind: ItemKind): ReadonlyArray<string> =>
  kind === "tool" ? config.tools : kind === "resource" ? config.resources : config.prompts

/** The scopes an item requires: its own entry, else the kind's default, else none. */
export const requiredScopes = (config: TenantConfig, kind: ItemKind, name: string): ReadonlyArray<string> => {
  const own = kind === "tool" ? config.toolScopes : kind === "resource" ? config.resourceScopes : config.promptScopes
  const defaults =
    kind === "tool"
      ? config.defaultScopes.tools
      : kind === "resource"
        ? config.defaultScopes.resources
        : config.defaultScopes.prompts
  return lookup(own, name) ?? defaults ?? []
}

/** Decides, for one request, what its principal may see and use. */
export const accessFor = (input: AccessInput): Access => {
  const granted = new Set(input.scopes)
  const allows = (kind: ItemKind) => (name: string) => {
    const item = input.catalog[kind].get(name)
    if (item === undefined) return false
    const list = allowList(input.config, kind)
    if (!list.includes("*") && !list.includes(name)) return false
    if (!requiredScopes(input.config, kind, name).every((scope) => granted.has(scope))) return false
    const off = input.switches
    if ((kind === "tool" && off.isOff("tool", name)) || off.isOff("plugin", item.plugin)) return false
    return !item.backends.some((backend) => off.isOff("backend", backend))
  }
  return { tool: allows("tool"), resource: allows("resource"), prompt: allows("prompt") }
}
