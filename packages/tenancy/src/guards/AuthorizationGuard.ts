/**
 * The authorization guard: computes `call.access` (lists are filtered with it) and refuses a request for anything
 * outside it with `forbidden` (-32003). Unknown and not-allowed items get the same answer, whatever the client sent.
 *
 * @since 0.1.0
 */
import {
  type Access,
  type CallState,
  Catalog,
  type CatalogShape,
  findResource,
  forbidden,
  type McpError,
  reject,
  Stage
} from "@bulwark/core"
import { Effect } from "effect"
import { accessFor, type BackendsOf, indexCatalog } from "../AccessPolicy.ts"
import { requireTenant } from "../CurrentTenant.ts"
import { Switches } from "../Switches.ts"

/** The stage's name, as `rejectedBy` records it. */
export const name = "authorization"

/** Settings of the authorization guard. */
export interface AuthorizationOptions {
  /** The backends each item uses, for backend kill switches. */
  readonly backendsOf?: BackendsOf
}

const notAvailable = (what: string, id: string) => forbidden(`${what} "${id}" is not available`)

/** Checks what the request is about against `access`; names it on the call when allowed. */
export const check = (call: CallState, access: Access, catalog: CatalogShape): McpError | undefined => {
  const params = call.request.params
  switch (call.request.method) {
    case "tools/call":
    case "prompts/get": {
      const id = params.name
      if (typeof id !== "string") return undefined // validation answers malformed params
      const isTool = call.request.method === "tools/call"
      if (!(isTool ? access.tool(id) : access.prompt(id))) return notAvailable(isTool ? "Tool" : "Prompt", id)
      call.target = id
      call.label = id
      return undefined
    }
    case "resources/read":
    case "resources/subscribe":
    case "resources/unsubscribe": {
      const uri = params.uri
      if (typeof uri !== "string") return undefined
      const found = findResource(catalog, uri)
      if (found === undefined || !access.resource(found.key)) return notAvailable("Resource", uri)
      call.target = uri
      call.label = found.key
      return undefined
    }
    case "completion/complete": {
      const ref = params.ref as { readonly type?: unknown; readonly name?: unknown; readonly uri?: unknown } | undefined
      if (ref?.type === "ref/prompt" && typeof ref.name === "string" && !access.prompt(ref.name)) {
        return notAvailable("Prompt", ref.name)
      }
      if (ref?.type === "ref/resource" && typeof ref.uri === "string" && !access.resource(ref.uri)) {
        return notAvailable("Resource", ref.uri)
      }
      return undefined
    }
    default:
      return undefined
  }
}

/** Builds the authorization guard over the catalog. */
export const make = (
  options: AuthorizationOptions = {}
): Effect.Effect<Stage.Stage, never, Catalog.Catalog | Switches> =>
  Effect.gen(function* () {
    const catalog = yield* Catalog.Catalog
    const switches = yield* Switches
    const index = indexCatalog(catalog)
    return Stage.make(
      name,
      (next) => (call) =>
        Effect.gen(function* () {
          const { config } = yield* requireTenant(name)
          const access = accessFor({
            config,
            scopes: call.principal?.scopes ?? [],
            switches: yield* switches.current,
            catalog: index,
            backendsOf: options.backendsOf
          })
          call.access = access
          const refusal = check(call, access, catalog)
          if (refusal !== undefined) return yield* Effect.fail(reject(call, name, refusal))
          return yield* next(call)
        })
    )
  })
