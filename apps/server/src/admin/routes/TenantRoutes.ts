/**
 * `/admin/tenants`: list, read, create or replace (`PUT`, a whole `TenantConfig`), disable, enable, and change the
 * limits and quotas of one tenant (`PATCH .../limits`, a JSON merge patch).
 *
 * @since 0.1.0
 */
import type { JsonValue } from "@bulwark/audit"
import { type TenancyStoreError, TenantConfig, TenantDirectory } from "@bulwark/tenancy"
import { Effect, Layer, Option, Schema } from "effect"
import { HttpRouter } from "effect/http"
import { AdminNotFound, AdminUnavailable } from "../AdminErrors.ts"
import { type AdminEnv, handler, reply } from "../AdminHandler.ts"
import { decoder, invalid, jsonBody, pathParam } from "../AdminInput.ts"
import * as AdminViews from "../AdminViews.ts"
import { isJsonObject, mergePatch } from "../mergePatch.ts"

const unavailable = (operation: string) => (cause: TenancyStoreError) => new AdminUnavailable({ operation, cause })

const decodeTenant = decoder(TenantConfig.TenantConfig, "body")

/** The body of `PATCH /admin/tenants/:id/limits`: a merge patch over `limits` and `quotas`. */
const LimitsPatch = Schema.Struct({
  limits: Schema.optionalKey(Schema.NullOr(Schema.Record(Schema.String, Schema.Unknown))),
  quotas: Schema.optionalKey(Schema.NullOr(Schema.Record(Schema.String, Schema.Unknown)))
})
const decodeLimitsPatch = decoder(LimitsPatch, "body")
const patchable: ReadonlyArray<string> = ["limits", "quotas"]

const notFound = (tenantId: string) => new AdminNotFound({ message: `No tenant "${tenantId}"` })

/** The tenant routes over the tenant directory. */
export const layer = (env: AdminEnv) =>
  Layer.unwrap(
    Effect.gen(function* () {
      const directory = yield* TenantDirectory.TenantDirectory

      const find = (tenantId: string) =>
        directory
          .get(tenantId)
          .pipe(
            Effect.mapError(unavailable(`read tenant "${tenantId}"`)),
            Effect.flatMap(Option.match({ onNone: () => Effect.fail(notFound(tenantId)), onSome: Effect.succeed }))
          )

      const list = handler(env, undefined, () =>
        directory.list.pipe(
          Effect.mapError(unavailable("list tenants")),
          Effect.map((tenants) => reply({ tenants: tenants.map(AdminViews.tenant) }))
        )
      )

      const get = handler(env, undefined, () =>
        Effect.gen(function* () {
          const stored = yield* find(yield* pathParam("id"))
          return reply({ tenant: AdminViews.tenant(stored) })
        })
      )

      const put = handler(env, "admin/tenants.put", (note) =>
        Effect.gen(function* () {
          const id = yield* pathParam("id")
          note.tenantId = id
          note.target = id
          const raw = yield* jsonBody
          // The id is in the path; the body may repeat it, and must then agree.
          const config = yield* decodeTenant(isJsonObject(raw) && !("id" in raw) ? { ...raw, id } : raw)
          if (config.id !== id) {
            return yield* invalid("body", [{ path: "id", message: "Expected the tenant id of the path" }])
          }
          note.arguments = AdminViews.tenantConfig(config)
          const change = yield* directory.upsert(config).pipe(Effect.mapError(unavailable(`write tenant "${id}"`)))
          return reply({ change: AdminViews.tenantChange(change) }, change.action === "created" ? 201 : 200)
        })
      )

      const disable = handler(env, "admin/tenants.disable", (note) =>
        Effect.gen(function* () {
          const id = yield* pathParam("id")
          note.tenantId = id
          note.target = id
          const change = yield* directory.disable(id).pipe(
            Effect.catchTags({
              TenantNotFound: () => Effect.fail(notFound(id)),
              TenancyStoreError: (error) => Effect.fail(unavailable(`disable tenant "${id}"`)(error))
            })
          )
          return reply({ change: AdminViews.tenantChange(change) })
        })
      )

      // Enabling keeps the tenant's owner (config file or admin API), as disabling does.
      const enable = handler(env, "admin/tenants.enable", (note) =>
        Effect.gen(function* () {
          const id = yield* pathParam("id")
          note.tenantId = id
          note.target = id
          const stored = yield* find(id)
          const change = yield* directory
            .upsert({ ...stored.config, enabled: true }, { source: stored.source })
            .pipe(Effect.mapError(unavailable(`enable tenant "${id}"`)))
          return reply({ change: AdminViews.tenantChange(change) })
        })
      )

      const patchLimits = handler(env, "admin/tenants.limits", (note) =>
        Effect.gen(function* () {
          const id = yield* pathParam("id")
          note.tenantId = id
          note.target = id
          const raw = yield* jsonBody
          const extra = isJsonObject(raw) ? Object.keys(raw).filter((key) => !patchable.includes(key)) : []
          if (extra.length > 0) {
            return yield* invalid(
              "body",
              extra.map((path) => ({ path, message: "Only limits and quotas can be patched here; use PUT" }))
            )
          }
          const patch = yield* decodeLimitsPatch(raw)
          note.arguments = patch as JsonValue
          const stored = yield* find(id)
          const encoded = TenantConfig.encode(stored.config)
          const merged = mergePatch({ limits: encoded.limits, quotas: encoded.quotas }, patch)
          const sections = isJsonObject(merged) ? merged : {}
          const config = yield* decodeTenant({
            ...encoded,
            limits: sections.limits ?? {},
            quotas: sections.quotas ?? {}
          })
          const change = yield* directory
            .upsert(config, { source: stored.source })
            .pipe(Effect.mapError(unavailable(`write tenant "${id}"`)))
          return reply({ change: AdminViews.tenantChange(change) })
        })
      )

      return Layer.mergeAll(
        HttpRouter.add("GET", "/admin/tenants", list),
        HttpRouter.add("GET", "/admin/tenants/:id", get),
        HttpRouter.add("PUT", "/admin/tenants/:id", put),
        HttpRouter.add("POST", "/admin/tenants/:id/disable", disable),
        HttpRouter.add("POST", "/admin/tenants/:id/enable", enable),
        HttpRouter.add("PATCH", "/admin/tenants/:id/limits", patchLimits)
      )
    })
  )
