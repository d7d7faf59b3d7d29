/**
 * Applies plugins' migrations and tells which are still pending.
 *
 * Applied migrations are recorded in `bulwark_migrations(owner, id, name, applied_at)`, keyed by `(owner, id)`.
 * Each migration runs in its own transaction that first takes a PostgreSQL advisory transaction lock, re-checks
 * the table and only then runs `up` and records it; so any number of instances may start at once and each
 * migration is applied exactly once.
 *
 * Why not effect's `Migrator`: it keys migrations by a number and applies only ids above the highest recorded one
 * (no owner namespaces, a later-added lower id is skipped), its table has no owner column, it runs all pending
 * migrations in one transaction, and a concurrent runner that loses the race returns an empty list without waiting
 * for the winner.
 *
 * @since 0.1.0
 */
import { Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import { DatabaseUnavailable, type MigrationError, MigrationFailed } from "./Errors.ts"
import { describeSqlError, describeUnknown, isUnavailable } from "./internal/describe.ts"
import { splitSql } from "./internal/splitSql.ts"
import type { Migration, MigrationRef } from "./Migration.ts"
import { MigrationRegistry, validate } from "./MigrationRegistry.ts"

/** The table recording applied migrations. */
export const table = "bulwark_migrations"

// pg_advisory_xact_lock key shared by every Bulwark migration run ("Bulw" in ASCII).
const lockKey = 0x42756c77

const unavailable = (owner: string, error: SqlError) =>
  new DatabaseUnavailable({
    target: "the database",
    message: `Cannot reach the database while migrating "${owner}": ${describeSqlError(error)}. Check that PostgreSQL is running and reachable.`,
    cause: error
  })

const failedFor = (owner: string, migration: Migration | undefined) => (cause: unknown) =>
  new MigrationFailed({
    owner,
    migrationId: migration?.id,
    migrationName: migration?.name,
    message:
      migration === undefined
        ? `Could not prepare the ${table} table for "${owner}": ${describeUnknown(cause)}. Check that the database user may create and write tables in its current schema.`
        : `Migration ${owner}/${migration.id} "${migration.name}" failed and was rolled back: ${describeUnknown(cause)}. Fix or replace this migration and restart; earlier migrations stay applied.`,
    cause
  })

const sqlFailure =
  (owner: string, migration: Migration | undefined) =>
  (error: SqlError): DatabaseUnavailable | MigrationFailed =>
    isUnavailable(error) ? unavailable(owner, error) : failedFor(owner, migration)(error)

const lock = (sql: SqlClient) => sql`SELECT pg_advisory_xact_lock(${sql.literal(String(lockKey))})`

const tableExists = (sql: SqlClient) =>
  Effect.map(
    sql<{ readonly present: boolean }>`SELECT to_regclass(${table}) IS NOT NULL AS present`,
    (rows) => rows[0]?.present === true
  )

const appliedKeys = (sql: SqlClient, owner?: string) =>
  Effect.flatMap(tableExists(sql), (exists) =>
    exists
      ? Effect.map(
          owner === undefined
            ? sql<{ readonly owner: string; readonly id: string }>`SELECT owner, id FROM ${sql(table)}`
            : sql<{
                readonly owner: string
                readonly id: string
              }>`SELECT owner, id FROM ${sql(table)} WHERE owner = ${owner}`,
          (rows) => new Set(rows.map((row) => `${row.owner}\u0000${row.id}`))
        )
      : Effect.succeed(new Set<string>())
  )

const runUp = (sql: SqlClient, up: Migration["up"]): Effect.Effect<void, SqlError> =>
  typeof up === "string"
    ? Effect.forEach(splitSql(up), (statement) => sql.unsafe(statement), { discard: true })
    : Effect.provideService(up, SqlClient, sql)

const applyOne = (sql: SqlClient, owner: string, migration: Migration) =>
  sql
    .withTransaction(
      Effect.gen(function* () {
        yield* lock(sql)
        const done = yield* sql`SELECT 1 FROM ${sql(table)} WHERE owner = ${owner} AND id = ${migration.id}`
        if (done.length > 0) return false
        yield* runUp(sql, migration.up).pipe(
          Effect.catchDefect((defect) => Effect.fail(failedFor(owner, migration)(defect))),
          Effect.mapError((error) => (error._tag === "MigrationFailed" ? error : failedFor(owner, migration)(error)))
        )
        yield* sql`INSERT INTO ${sql(table)} (owner, id, name) VALUES (${owner}, ${migration.id}, ${migration.name})`
        return true
      })
    )
    .pipe(
      Effect.mapError((error) => (error._tag === "MigrationFailed" ? error : sqlFailure(owner, migration)(error))),
      Effect.tap((applied) =>
        applied ? Effect.logInfo(`Applied migration ${owner}/${migration.id} "${migration.name}"`) : Effect.void
      )
    )

/**
 * Applies `owner`'s pending migrations in list order, each in its own transaction; returns the ones this call
 * applied (empty when all were applied already, by this or another instance).
 */
export const run = (
  owner: string,
  migrations: ReadonlyArray<Migration>
): Effect.Effect<ReadonlyArray<MigrationRef>, MigrationError, SqlClient> =>
  Effect.gen(function* () {
    yield* validate(owner, migrations)
    const sql = yield* SqlClient
    yield* sql
      .withTransaction(
        Effect.andThen(
          lock(sql),
          sql`CREATE TABLE IF NOT EXISTS ${sql(table)} (
            owner text NOT NULL,
            id text NOT NULL,
            name text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (owner, id)
          )`
        )
      )
      .pipe(Effect.mapError(sqlFailure(owner, undefined)))
    const done = yield* appliedKeys(sql, owner).pipe(Effect.mapError(sqlFailure(owner, undefined)))
    const applied: Array<MigrationRef> = []
    for (const migration of migrations) {
      if (done.has(`${owner}\u0000${migration.id}`)) continue
      if (yield* applyOne(sql, owner, migration)) applied.push({ owner, id: migration.id, name: migration.name })
    }
    return applied
  }).pipe(Effect.withSpan("Migrations.run", { attributes: { owner } }))

/** The migrations of `owners` (by owner) that are not recorded as applied, in list order. */
export const pending = (
  owners: ReadonlyMap<string, ReadonlyArray<Migration>>
): Effect.Effect<ReadonlyArray<MigrationRef>, SqlError, SqlClient> =>
  Effect.gen(function* () {
    if (owners.size === 0) return []
    const sql = yield* SqlClient
    const done = yield* appliedKeys(sql)
    const result: Array<MigrationRef> = []
    for (const [owner, migrations] of owners) {
      for (const { id, name } of migrations) if (!done.has(`${owner}\u0000${id}`)) result.push({ owner, id, name })
    }
    return result
  })

/** The registered migrations that are not applied yet; empty means "all known migrations are applied". */
export const pendingRegistered: Effect.Effect<
  ReadonlyArray<MigrationRef>,
  SqlError,
  SqlClient | MigrationRegistry
> = Effect.gen(function* () {
  const registry = yield* MigrationRegistry
  return yield* pending(yield* registry.registered)
})

/** Registers `owner`'s migrations for readiness, then applies the pending ones. */
const registerAndRun = (registry: MigrationRegistry["Service"], owner: string, migrations: ReadonlyArray<Migration>) =>
  Effect.andThen(registry.register(owner, migrations), run(owner, migrations))

/**
 * Registers `owner`'s migrations (for readiness) and applies them while the layer is built; a plugin's layer
 * provides this so that it starts only on an up-to-date schema.
 */
export const layer = (
  owner: string,
  migrations: ReadonlyArray<Migration>
): Layer.Layer<never, MigrationError, SqlClient | MigrationRegistry> =>
  Layer.effectDiscard(Effect.flatMap(MigrationRegistry, (registry) => registerAndRun(registry, owner, migrations)))

/**
 * Registers `owner`'s migrations for readiness when the app provides a `MigrationRegistry` (the bundled server
 * does), then applies the pending ones: what a plugin's layer runs as it is built.
 */
export const apply = (
  owner: string,
  migrations: ReadonlyArray<Migration>
): Effect.Effect<ReadonlyArray<MigrationRef>, MigrationError, SqlClient> =>
  Effect.flatMap(Effect.serviceOption(MigrationRegistry), (registry) =>
    Option.isSome(registry) ? registerAndRun(registry.value, owner, migrations) : run(owner, migrations)
  )
