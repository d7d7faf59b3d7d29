/**
 * The authorization guard (`admit` phase): decides what the principal may see and use (`AccessPolicy`), hands it to
 * the rest of the chain as `CurrentAccess`, refuses a request for anything outside it with `forbidden` (-32003), and
 * filters every listing down to what the principal may see (marked `cacheScope: "private"` for 2026-07-28 clients, so
 * that no shared cache hands one tenant's view to another). Unknown and not-allowed items get the same answer: for
 * tools and prompts `forbidden` (-32003); for a resource the answer MCP gives a resource that does not exist
 * (SEP-2164: the error names the URI in `data`), so the two cannot be told apart there either.
 *
 * @since 0.1.0
 */
import {
  type Access,
  type Call,
  Catalog,
  type CatalogShape,
  CurrentAccess,
  findResource,
  forbidden,
  type McpResult,
  type Refused,
  refusedAs,
  resourceNotFound,
  Stage
} from "@bulwark/core"
import { Context, Effect } from "effect"
import { accessFor, indexCatalog } from "../AccessPolicy.ts"
import { checkWithTenant } from "../CurrentTenant.ts"
import type { SwitchSnapshot } from "../Switches.ts"
import type { TenantConfig } from "../TenantConfig.ts"

/** The stage's name, as refusals and the audit log name it. */
export const name = "authorization"

const noScopes: ReadonlyArray<string> = []

const notAvailable = (what: string, id: string) => forbidden(name, `${what} "${id}" is not available`)

/** The answer to a resource the principal may not read: that of a resource that does not exist. */
const notFound = (uri: string) => refusedAs(name, resourceNotFound(uri))

/** Checks what the request is about against `access`. */
export const check = (call: Call, access: Access): Refused | undefined => {
  const target = call.target
  switch (target._tag) {
    case "ToolCall":
      return access.tool(target.name) ? undefined : notAvailable("Tool", target.name)
    case "PromptGet":
      return access.prompt(target.name) ? undefined : notAvailable("Prompt", target.name)
    case "ResourceAccess":
      return target.resource !== undefined && access.resource(target.resource.key) ? undefined : notFound(target.uri)
    case "Completion": {
      const ref = target.ref
      if (ref.kind === "prompt") return access.prompt(ref.name) ? undefined : notAvailable("Prompt", ref.name)
      return access.resource(ref.uriTemplate) ? undefined : notAvailable("Resource", ref.uriTemplate)
    }
    default:
      return undefined
  }
}

const named = (item: unknown): string | undefined => {
  const candidate = (item as { readonly name?: unknown }).name
  return typeof candidate === "string" ? candidate : undefined
}

/** A listing result narrowed to what `access` allows, marked private to the caller for 2026-07-28 clients. */
export const filterListing = (call: Call, access: Access, catalog: CatalogShape, result: McpResult): McpResult => {
  const target = call.target
  if (target._tag !== "Listing") return result
  const keep = <T>(items: unknown, allowed: (item: T) => boolean): ReadonlyArray<T> =>
    Array.isArray(items) ? (items as ReadonlyArray<T>).filter(allowed) : []
  let filtered: McpResult
  switch (target.kind) {
    case "tools":
      filtered = { ...result, tools: keep(result.tools, (tool) => access.tool(named(tool) ?? "")) }
      break
    case "prompts":
      filtered = { ...result, prompts: keep(result.prompts, (prompt) => access.prompt(named(prompt) ?? "")) }
      break
    case "resourceTemplates":
      filtered = {
        ...result,
        resourceTemplates: keep<{ readonly uriTemplate: string }>(result.resourceTemplates, (template) =>
          access.resource(template.uriTemplate)
        )
      }
      break
    case "resources":
      // A listed URI is visible when the principal could read it: the resource it resolves to is allowed.
      filtered = {
        ...result,
        resources: keep<{ readonly uri: string }>(result.resources, (resource) => {
          const found = findResource(catalog, resource.uri)
          return found !== undefined && access.resource(found.key)
        })
      }
      break
  }
  return call.request.era === "modern" ? { ...filtered, cacheScope: "private" } : filtered
}

/** Builds the authorization guard over the catalog. */
export const make: Effect.Effect<Stage.Stage, never, Catalog.Catalog> = Effect.gen(function* () {
  const catalog = yield* Catalog.Catalog
  const index = indexCatalog(catalog)
  // The access a tenant's configuration, a principal's scopes and the switches give, made once for each of them:
  // each is an immutable snapshot, and a principal's scopes are one array for as long as it is cached.
  const made = new WeakMap<
    TenantConfig,
    { readonly scopes: ReadonlyArray<string>; readonly switches: SwitchSnapshot; readonly access: Access }
  >()
  const accessOf = (config: TenantConfig, scopes: ReadonlyArray<string>, switches: SwitchSnapshot): Access => {
    const last = made.get(config)
    if (last !== undefined && last.scopes === scopes && last.switches === switches) return last.access
    const access = accessFor({ config, scopes, switches, catalog: index })
    made.set(config, { scopes, switches, access })
    return access
  }
  return Stage.guard(
    name,
    "admit",
    checkWithTenant(name, (call, { config, switches }, context) => {
      const access = accessOf(config, call.principal?.scopes ?? noScopes, switches)
      const refusal = check(call, access)
      if (refusal !== undefined) return refusal
      // A listing's answer is narrowed to what the principal may see; anything else goes on with its access.
      if (call.target._tag === "Listing") {
        return Stage.around((rest) =>
          Effect.map(Effect.provideService(rest, CurrentAccess, access), (result) =>
            filterListing(call, access, catalog, result)
          )
        )
      }
      return Stage.admitted({ context: Context.add(context, CurrentAccess, access) })
    }),
    { order: 1 }
  )
})
