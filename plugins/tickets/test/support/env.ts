/**
 * The composition the tests run against: the tickets plugin installed into a real catalog and pipeline, on a fresh
 * PostgreSQL database, plus `TicketStore` for direct store-level checks.
 */
import { Catalog, DEFAULT_TENANT, Notifier, Pipeline, Plugin } from "@bulwark/core"
import { Effect, Layer, References } from "effect"
import { seedDemoData, TicketStore, TicketsLive, TicketsPlugin, type User } from "../../src/index.ts"
import { freshDatabase } from "./freshDatabase.ts"

/** The pipeline serving the tickets plugin, and the plugin's store, on a fresh database named after `label`. */
export const testEnv = (label: string) => {
  const database = freshDatabase(label)
  const pipeline = Pipeline.layer().pipe(
    Layer.provide(Catalog.layerInstalled([Plugin.install(TicketsPlugin, TicketsLive)])),
    Layer.provide(Notifier.none)
  )
  // Tool errors are expected here; only unexpected failures (logged as errors) are worth printing.
  const quiet = Layer.succeed(References.MinimumLogLevel, "Error")
  return Layer.mergeAll(pipeline, TicketsLive, quiet).pipe(Layer.provide(database))
}

/** Seeds the demo users of the tenant requests run as (the pipeline's default tenant) and returns them by name. */
export const seedDefaultTenant = Effect.gen(function* () {
  yield* seedDemoData(DEFAULT_TENANT)
  const store = yield* TicketStore
  const users = yield* store.listUsers(DEFAULT_TENANT, 10)
  const byEmail = (email: string): User => users.find((user) => user.email === email)!
  return { ada: byEmail("ada@example.com"), grace: byEmail("grace@example.com") }
})
