/**
 * `/admin/audit`: the audit log, newest first, filtered and paged (`?tenant=&tool=&outcome=&from=&to=&limit=&cursor=`),
 * and `/admin/audit/verify`, the hash chain recomputed.
 *
 * @since 0.1.0
 */
import { auditRecordToJson, maxQueryLimit, outcomes, query, verifyChain } from "@bulwark/audit"
import { Effect, Layer, Schema } from "effect"
import { HttpRouter } from "effect/http"
import { SqlClient } from "effect/sql/SqlClient"
import { AdminUnavailable } from "../AdminErrors.ts"
import { type AdminEnv, handler, reply } from "../AdminHandler.ts"
import * as AdminInput from "../AdminInput.ts"

/** The query string of `GET /admin/audit`; `from`/`to` are ISO 8601, `limit` 1 to 1000 (default 50). */
export const AuditQueryParams = Schema.Struct({
  tenant: Schema.optionalKey(Schema.NonEmptyString),
  tool: Schema.optionalKey(Schema.NonEmptyString),
  outcome: Schema.optionalKey(Schema.Literals(outcomes)),
  from: Schema.optionalKey(Schema.DateFromString),
  to: Schema.optionalKey(Schema.DateFromString),
  limit: Schema.optionalKey(
    Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: maxQueryLimit }))
  ),
  cursor: Schema.optionalKey(Schema.NonEmptyString)
})

/** The audit routes over the app's database. */
export const layer = (env: AdminEnv) =>
  Layer.unwrap(
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const unavailable = (operation: string) => (cause: unknown) => new AdminUnavailable({ operation, cause })

      const search = handler(env, undefined, () =>
        Effect.gen(function* () {
          const params = yield* AdminInput.query(AuditQueryParams)
          const page = yield* query({
            limit: params.limit ?? 50,
            ...(params.tenant === undefined ? {} : { tenantId: params.tenant }),
            ...(params.tool === undefined ? {} : { tool: params.tool }),
            ...(params.outcome === undefined ? {} : { outcome: params.outcome }),
            ...(params.from === undefined ? {} : { from: params.from }),
            ...(params.to === undefined ? {} : { to: params.to }),
            ...(params.cursor === undefined ? {} : { cursor: params.cursor })
          }).pipe(
            Effect.provideService(SqlClient, sql),
            Effect.catchTags({
              AuditQueryInvalid: (error) =>
                Effect.fail(AdminInput.invalid("query", [{ path: "", message: error.message }])),
              SqlError: (error) => Effect.fail(unavailable("query the audit log")(error))
            })
          )
          return reply({ records: page.records.map(auditRecordToJson), nextCursor: page.nextCursor })
        })
      )

      const verify = handler(env, undefined, () =>
        verifyChain().pipe(
          Effect.provideService(SqlClient, sql),
          Effect.mapError(unavailable("verify the audit chain")),
          Effect.map((report) => reply(report))
        )
      )

      return Layer.mergeAll(
        HttpRouter.add("GET", "/admin/audit", search),
        HttpRouter.add("GET", "/admin/audit/verify", verify)
      )
    })
  )
