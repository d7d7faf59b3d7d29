import { Database, DatabaseConfig, MigrationRegistry } from "@bulwark/database"
import { TestDatabase } from "@bulwark/database/testing"
import { Effect, Layer, Redacted } from "effect"

export { dropDatabase, TestDatabase } from "@bulwark/database/testing"

/** A database layer (its own pool) and a migration registry on the test database: one "instance" of the app. */
export const appDatabase = Layer.unwrap(
  Effect.map(TestDatabase, ({ url }) =>
    Layer.merge(
      Database.layer(DatabaseConfig.make({ url: Redacted.make(url), poolSize: 4 })),
      MigrationRegistry.layer
    ).pipe(Layer.orDie)
  )
)
