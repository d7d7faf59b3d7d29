// #region readme
import { Catalog, makeRequest, Notifier, Pipeline, Plugin, retryAfterSeconds, Tool } from "@bulwark/core"
import { Database, DatabaseConfig, MigrationRegistry } from "@bulwark/database"
import { ChangeFeed, Guards, RateLimits, Switches, Tenancy, TenancyConfig, TenantDirectory } from "@bulwark/tenancy"
import { Effect, Layer, Schema } from "effect"

// The app's config file (YAML), decoded: here an embedded, in-memory PostgreSQL and one tenant.
const database = Schema.decodeUnknownSync(DatabaseConfig)({ embedded: { inMemory: true } })
const tenancy = Schema.decodeUnknownSync(TenancyConfig)({
  tenants: [
    {
      id: "acme",
      name: "Acme Corp",
      tools: ["create_ticket"],
      toolScopes: { create_ticket: ["tickets:write"] },
      limits: { rate: { requests: 2, per: "1 minute" }, timeoutCap: "20 seconds" },
      quotas: { daily: 1000, toolCosts: { create_ticket: 5 } }
    }
  ]
})

const Tickets = Plugin.make({
  name: "tickets",
  version: "1.0.0",
  tools: [
    Tool.make("create_ticket", {
      description: "Opens a ticket",
      input: Schema.Struct({ title: Schema.String }),
      handler: ({ title }) => Effect.succeed(`Opened "${title}"`)
    })
  ]
})

// Tenancy over the database. Changes travel by NOTIFY with a real PostgreSQL and stay local when embedded.
// For limits shared by several instances: RateLimits.layerRedis() with NodeRedis.layer({ url }).
const TenancyLive = Tenancy.layer({
  propagation: ChangeFeed.modeFor(database),
  idleTimeToLive: tenancy.idleTimeToLive,
  resyncInterval: tenancy.resyncInterval
}).pipe(
  Layer.provideMerge(RateLimits.layerMemory),
  Layer.provideMerge(MigrationRegistry.layer),
  Layer.provideMerge(Database.layer(database))
)

// The pipeline with tenancy's five guards: tenancy and authorization admit, the limits follow.
export const AppLive = Pipeline.layerWith(
  Effect.map(Guards.make, (stages) => ({ ...Pipeline.defaultConfig, stages }))
).pipe(Layer.provideMerge(Catalog.layer([Tickets])), Layer.provide(Notifier.none), Layer.provideMerge(TenancyLive))

// At start and on every reload (SIGHUP, file change): the changes are values for the audit log.
export const syncTenants = Effect.flatMap(TenantDirectory.TenantDirectory, (directory) =>
  directory.sync(tenancy.tenants)
)

// An operator's kill switch, stored and applied on every instance; also a value for the audit log.
export const switchOff = Effect.flatMap(Switches.Switches, (switches) =>
  switches.set({ kind: "tool", target: "create_ticket", reason: "vendor outage", actor: "ops@acme.example" })
)

// The transport authenticates the caller and puts the principal on the request. A refused limit is a typed
// `Refused` error that says when to retry (the HTTP edge answers it in-band with Retry-After).
export const createTicket = (scopes: ReadonlyArray<string>, title: string) =>
  Effect.flatMap(Pipeline.Pipeline, (pipeline) =>
    pipeline.handle(
      makeRequest(
        "tools/call",
        { name: "create_ticket", arguments: { title } },
        { principal: { tenantId: "acme", subject: "key-1", scopes, method: "api-key" } }
      )
    )
  ).pipe(
    Effect.exit,
    Effect.map((exit) => {
      const failure = exit._tag === "Failure" ? exit.cause.reasons[0] : undefined
      const refused = failure?._tag === "Fail" && failure.error._tag === "Refused" ? failure.error : undefined
      return { exit, retryAfterSeconds: refused === undefined ? undefined : retryAfterSeconds(refused) }
    })
  )

// #endregion readme

import { describe, expect, it } from "@effect/vitest"
import { Exit, References } from "effect"
import { Quotas } from "../src/index.ts"

const codeOf = (exit: Exit.Exit<unknown, { readonly code: number }>) =>
  Exit.isSuccess(exit) ? "ok" : exit.cause.reasons[0]?._tag === "Fail" ? exit.cause.reasons[0].error.code : "defect"

describe("README example", () => {
  it.live(
    "syncs the tenant, authorizes by scope, limits the rate, charges the quota and obeys the switch",
    () =>
      Effect.gen(function* () {
        const changes = yield* syncTenants
        expect(changes.map((c) => [c.tenantId, c.action])).toEqual([["acme", "created"]])

        const first = yield* createTicket(["tickets:write"], "Printer on fire")
        expect(Exit.isSuccess(first.exit) && first.exit.value.content).toEqual([
          { type: "text", text: 'Opened "Printer on fire"' }
        ])
        expect(codeOf((yield* createTicket(["tickets:read"], "No scope")).exit)).toBe(-32003)
        expect(codeOf((yield* createTicket(["tickets:write"], "Second")).exit)).toBe("ok")
        const third = yield* createTicket(["tickets:write"], "Third")
        expect(codeOf(third.exit)).toBe(-32029)
        expect(third.retryAfterSeconds).toBeGreaterThan(0)
        expect(yield* Quotas.Quotas.use((quotas) => quotas.usage("acme"))).toEqual({ day: 10, month: 0 })

        expect((yield* switchOff).action).toBe("set")
        expect(codeOf((yield* createTicket(["tickets:write"], "Switched off")).exit)).toBe(-32003)
      }).pipe(Effect.provide(AppLive), Effect.provideService(References.MinimumLogLevel, "Warn")),
    30_000
  )
})
