/**
 * `/admin/cache/invalidate`: drops cached answers on every instance: those of a tenant that depend on the given tags
 * (`{ tenantId, tags }`), or all of the tenant's (`{ tenantId }`). Audited as `admin/cache.invalidate`.
 *
 * @since 0.1.0
 */
import { ToolCache } from "@bulwark/cache"
import { Effect, Layer, Schema } from "effect"
import { HttpRouter } from "effect/http"
import { type AdminEnv, handler, reply } from "../AdminHandler.ts"
import { body } from "../AdminInput.ts"

/** `POST /admin/cache/invalidate`. */
export const InvalidateBody = Schema.Struct({
  tenantId: Schema.NonEmptyString,
  tags: Schema.optionalKey(Schema.Array(Schema.NonEmptyString))
})

/** The cache route. */
export const layer = (env: AdminEnv) =>
  Layer.unwrap(
    Effect.map(ToolCache, (cache) =>
      HttpRouter.add(
        "POST",
        "/admin/cache/invalidate",
        handler(env, "admin/cache.invalidate", (note) =>
          Effect.gen(function* () {
            const input = yield* body(InvalidateBody)
            note.tenantId = input.tenantId
            note.arguments = input.tags === undefined ? { all: true } : { tags: [...input.tags] }
            yield* input.tags === undefined ? cache.flush(input.tenantId) : cache.invalidate(input.tenantId, input.tags)
            return reply({ invalidated: input.tags ?? "all" })
          })
        )
      )
    )
  )
