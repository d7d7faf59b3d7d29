/**
 * Database readiness for `/readyz`: the database answers, and every registered migration is applied.
 *
 * @since 0.1.0
 */
import { Duration, Effect } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { describeSqlError } from "./internal/describe.ts"
import type { MigrationRef } from "./Migration.ts"
import type { MigrationRegistry } from "./MigrationRegistry.ts"
import { pendingRegistered } from "./Migrations.ts"

/** The outcome of a readiness check; `ready` decides 200 or 503, the rest is safe to show (no secrets). */
export interface Report {
  readonly ready: boolean
  readonly databaseReachable: boolean
  /** Registered migrations not yet applied; empty when unknown because the database is unreachable. */
  readonly pendingMigrations: ReadonlyArray<MigrationRef>
  /** Why it is not ready, one sentence each; empty when ready. */
  readonly problems: ReadonlyArray<string>
}

/** Options of {@link check}. */
export interface Options {
  /** Upper bound for the whole check (default 2 seconds). */
  readonly timeout?: Duration.Input
}

/** The default time limit of {@link check}. */
export const defaultTimeout = Duration.seconds(2)

const notReachable = (reason: string): Report => ({
  ready: false,
  databaseReachable: false,
  pendingMigrations: [],
  problems: [`Database not reachable: ${reason}.`]
})

/**
 * Runs `SELECT 1` and looks up the registered migrations within `timeout`; never fails, a problem is part of the
 * report.
 */
export const check = (options?: Options): Effect.Effect<Report, never, SqlClient | MigrationRegistry> => {
  const timeout = options?.timeout ?? defaultTimeout
  return Effect.gen(function* () {
    const sql = yield* SqlClient
    const ping = yield* Effect.result(sql`SELECT 1`)
    if (ping._tag === "Failure") return notReachable(describeSqlError(ping.failure))
    const pending = yield* Effect.result(pendingRegistered)
    if (pending._tag === "Failure") {
      return {
        ready: false,
        databaseReachable: true,
        pendingMigrations: [],
        problems: [`Could not read the applied migrations: ${describeSqlError(pending.failure)}.`]
      }
    }
    const pendingMigrations = pending.success
    return {
      ready: pendingMigrations.length === 0,
      databaseReachable: true,
      pendingMigrations,
      problems:
        pendingMigrations.length === 0
          ? []
          : [
              `${pendingMigrations.length} migration(s) not applied yet: ${pendingMigrations
                .map((ref) => `${ref.owner}/${ref.id}`)
                .join(", ")}.`
            ]
    }
  }).pipe(
    Effect.timeoutOrElse({
      duration: timeout,
      orElse: () =>
        Effect.succeed(notReachable(`no answer within ${Duration.format(Duration.fromInputUnsafe(timeout))}`))
    })
  )
}

/** The HTTP status for `/readyz`: 200 when ready, 503 otherwise. */
export const httpStatus = (report: Report): 200 | 503 => (report.ready ? 200 : 503)
