// #region readme
import { AuditConfig, AuditLog, AuditStage, query, recordEdgeExchange, verifyChain } from "@bulwark/audit"
import { Catalog, makeRequest, Notifier, Pipeline, Plugin, sensitive, Tool } from "@bulwark/core"
import { Database, type DatabaseConfig, MigrationRegistry } from "@bulwark/database"
import { Effect, Layer, Schema } from "effect"

// A tool whose schema marks `password` sensitive: the audit log stores "[REDACTED]" in its place.
const login = Tool.make("login", {
  description: "Checks a user's password.",
  input: Schema.Struct({ user: Schema.String, password: sensitive(Schema.String) }),
  handler: ({ user }) => Effect.succeed(`Welcome, ${user}`)
})
export const Accounts = Plugin.make({ name: "accounts", version: "1.0.0", tools: [login] })

// The `audit` section of the config file; every key is optional (see the table below).
const auditConfig = Schema.decodeUnknownSync(AuditConfig)({ capacity: 10_000, flushInterval: "100 millis" })

// The audit stage observes (the pipeline's outermost phase), outside containment: it sees refusals too.
const PipelineLive = Layer.unwrap(
  Effect.map(AuditStage.make, (audit) => Pipeline.layer({ ...Pipeline.defaultConfig, stages: [audit] }))
)

// AuditLog.layer applies the "audit" migrations, starts the writer, and writes what is left on release.
export const AppLive = (database: DatabaseConfig) =>
  PipelineLive.pipe(
    Layer.provideMerge(AuditLog.layer(auditConfig)),
    Layer.provideMerge(Catalog.layer([Accounts])),
    Layer.provide(Notifier.none),
    Layer.provideMerge(Layer.merge(Database.layer(database), MigrationRegistry.layer))
  )

export const program = Effect.gen(function* () {
  const pipeline = yield* Pipeline.Pipeline
  yield* pipeline.handle(
    makeRequest(
      "tools/call",
      { name: "login", arguments: { user: "ada", password: "hunter2" } },
      { principal: { tenantId: "acme", subject: "key-1", scopes: [], method: "api-key" } }
    )
  )
  // The HTTP edge audits a request it refused before the pipeline (a 401).
  yield* recordEdgeExchange({
    outcome: "rejected",
    refusedBy: "authentication",
    reason: "unknown API key",
    method: "tools/call",
    target: "login"
  })
  // Records reach PostgreSQL in batches; flush waits for them (tests and tools; requests never do).
  yield* (yield* AuditLog).flush
  const newestFirst = yield* query({ limit: 10 })
  const chain = yield* verifyChain()
  return { records: newestFirst.records, chain }
})

// #endregion readme

import { DatabaseConfig as DatabaseSettings } from "@bulwark/database"
import { describe, expect, it } from "@effect/vitest"
import { Logger, Redacted } from "effect"
import { TestDatabase } from "./support/TestDatabase.ts"

describe("README example", () => {
  it.live("audits the call with its password redacted, and the edge refusal, on a chain that verifies", () =>
    Effect.gen(function* () {
      const { url } = yield* TestDatabase
      const { records, chain } = yield* program.pipe(
        Effect.provide(AppLive(DatabaseSettings.make({ url: Redacted.make(url), poolSize: 2 })))
      )
      expect(records.map((record) => [record.id, record.outcome, record.rejectedBy, record.arguments])).toEqual([
        [2, "rejected", "authentication", null],
        [1, "success", null, { user: "ada", password: "[REDACTED]" }]
      ])
      expect(chain).toMatchObject({ ok: true, checked: 2 })
    }).pipe(Effect.provide(TestDatabase.layer("readme")), Effect.provide(Logger.layer([])))
  )
})
