/**
 * `/admin/switches`: the kill switches. `PUT` sets one (`{ kind, name, reason }`), `DELETE` clears one (`{ kind, name }`
 * in the body), `GET` lists those set. A switch applies to every tenant; for `kind: "tenant"` the name is the tenant
 * id, which may also be given as `tenantId`. A tool, plugin or backend switch must name one this server has (tools
 * and plugins of its catalog, backends its tools, resources and prompts declare): a misspelt name would switch
 * nothing off while the operator believes it did, so it is refused with the names that exist.
 *
 * @since 0.1.0
 */
import { Catalog, type CatalogShape } from "@bulwark/core"
import { Switches, type Switches as SwitchesModule, type TenancyStoreError } from "@bulwark/tenancy"
import { Effect, Layer, Schema } from "effect"
import { HttpRouter } from "effect/http"
import type { AuditNote } from "../AdminAudit.ts"
import { AdminUnavailable } from "../AdminErrors.ts"
import { type AdminEnv, handler, reply } from "../AdminHandler.ts"
import { body, invalid } from "../AdminInput.ts"
import * as AdminViews from "../AdminViews.ts"

/** Which switch: its kind and name (`tenantId` only for `kind: "tenant"`, as another way to give the name). */
const SwitchKey = {
  kind: Switches.SwitchKind,
  name: Schema.optionalKey(Schema.NonEmptyString),
  tenantId: Schema.optionalKey(Schema.NonEmptyString)
}

/** `PUT /admin/switches`. */
export const SetSwitchBody = Schema.Struct({ ...SwitchKey, reason: Schema.NonEmptyString })

/** `DELETE /admin/switches`. */
export const ClearSwitchBody = Schema.Struct(SwitchKey)

const unavailable = (operation: string) => (cause: TenancyStoreError) => new AdminUnavailable({ operation, cause })

/** The switch's target, from `name` or (for tenants) `tenantId`; 400 when missing or contradictory. */
const targetOf = (key: {
  readonly kind: SwitchesModule.SwitchKind
  readonly name?: string
  readonly tenantId?: string
}) => {
  if (key.tenantId !== undefined && key.kind !== "tenant") {
    return Effect.fail(
      invalid("body", [
        {
          path: "tenantId",
          message:
            "Switches apply to every tenant; to turn an item off for one tenant, take it out of that tenant's allow-list"
        }
      ])
    )
  }
  if (key.name !== undefined && key.tenantId !== undefined && key.name !== key.tenantId) {
    return Effect.fail(invalid("body", [{ path: "tenantId", message: "Expected the same tenant id as name" }]))
  }
  const target = key.name ?? key.tenantId
  return target === undefined
    ? Effect.fail(invalid("body", [{ path: "name", message: "Missing key" }]))
    : Effect.succeed(target)
}

/** The names a switch of `kind` may take on this server; undefined for tenants (any id may be switched off). */
const knownNames = (catalog: CatalogShape, kind: SwitchesModule.SwitchKind): ReadonlyArray<string> | undefined => {
  switch (kind) {
    case "tool":
      return [...catalog.tools.keys()]
    case "plugin":
      return catalog.plugins.map((plugin) => plugin.name)
    case "backend":
      return [...catalog.backends]
    case "tenant":
      return undefined
  }
}

/** Refuses a switch on a tool, plugin or backend this server does not have. */
const requireKnown = (catalog: CatalogShape, kind: SwitchesModule.SwitchKind, target: string) => {
  const known = knownNames(catalog, kind)
  if (known === undefined || known.includes(target)) return Effect.void
  const names = known.length === 0 ? `this server has no ${kind}s` : `known: ${[...known].sort().join(", ")}`
  return Effect.fail(invalid("body", [{ path: "name", message: `No ${kind} is named "${target}" (${names})` }]))
}

const describe = (note: AuditNote, kind: SwitchesModule.SwitchKind, target: string) => {
  note.target = target
  note.tenantId = kind === "tenant" ? target : null
}

/** The switch routes. */
export const layer = (env: AdminEnv) =>
  Layer.unwrap(
    Effect.gen(function* () {
      const switches = yield* Switches.Switches
      const catalog = yield* Catalog.Catalog

      const list = handler(env, undefined, () =>
        switches.list.pipe(
          Effect.mapError(unavailable("list kill switches")),
          Effect.map((all) => reply({ switches: all.map(AdminViews.killSwitch) }))
        )
      )

      const set = handler(env, "admin/switches.set", (note) =>
        Effect.gen(function* () {
          const input = yield* body(SetSwitchBody)
          const target = yield* targetOf(input)
          describe(note, input.kind, target)
          yield* requireKnown(catalog, input.kind, target)
          note.arguments = { kind: input.kind, name: target, reason: input.reason }
          const change = yield* switches
            .set({ kind: input.kind, target, reason: input.reason, actor: "admin" })
            .pipe(Effect.mapError(unavailable("set a kill switch")))
          return reply({ change: AdminViews.switchChange(change) })
        })
      )

      const clear = handler(env, "admin/switches.clear", (note) =>
        Effect.gen(function* () {
          const input = yield* body(ClearSwitchBody)
          const target = yield* targetOf(input)
          describe(note, input.kind, target)
          note.arguments = { kind: input.kind, name: target }
          const change = yield* switches
            .clear({ kind: input.kind, target, actor: "admin" })
            .pipe(Effect.mapError(unavailable("clear a kill switch")))
          return reply({ change: AdminViews.switchChange(change) })
        })
      )

      return Layer.mergeAll(
        HttpRouter.add("GET", "/admin/switches", list),
        HttpRouter.add("PUT", "/admin/switches", set),
        HttpRouter.add("DELETE", "/admin/switches", clear)
      )
    })
  )
