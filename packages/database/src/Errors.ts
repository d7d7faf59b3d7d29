/**
 * The typed failures of `@bulwark/database`.
 *
 * Every message says what went wrong and what to do about it. Messages name a database by host, port and
 * database name only: they never contain the URL itself, so they never contain its password.
 *
 * @since 0.1.0
 */
import { Data } from "effect"

/** PostgreSQL could not be reached or refused the connection (startup check, migrations, readiness). */
export class DatabaseUnavailable extends Data.TaggedError("DatabaseUnavailable")<{
  /** Where we tried to connect, e.g. `db.internal:5432/bulwark`; never includes credentials. */
  readonly target: string
  readonly message: string
  readonly cause?: unknown
}> {}

/** Another live process (or another layer in this process) is already using the embedded database's data dir. */
export class EmbeddedDatabaseLocked extends Data.TaggedError("EmbeddedDatabaseLocked")<{
  readonly dataDir: string
  readonly lockFile: string
  /** The pid written in the lock file by the holder. */
  readonly holderPid: number
  readonly holderHost: string
  readonly message: string
}> {}

/** The embedded PostgreSQL (PGlite and its socket server) could not be started or its data dir prepared. */
export class EmbeddedDatabaseFailed extends Data.TaggedError("EmbeddedDatabaseFailed")<{
  /** The data dir, or `"memory"` for an in-memory database. */
  readonly dataDir: string
  readonly message: string
  readonly cause?: unknown
}> {}

/** A list of migrations is malformed (empty owner or id, duplicate ids, owner registered twice differently). */
export class MigrationsInvalid extends Data.TaggedError("MigrationsInvalid")<{
  readonly owner: string
  readonly message: string
}> {}

/**
 * A migration (or the bookkeeping around it) failed. Its transaction was rolled back: nothing of it is applied,
 * migrations before it stay applied, the ones after it were not attempted.
 */
export class MigrationFailed extends Data.TaggedError("MigrationFailed")<{
  readonly owner: string
  /** The failing migration, or `undefined` when preparing the `bulwark_migrations` table failed. */
  readonly migrationId: string | undefined
  readonly migrationName: string | undefined
  readonly message: string
  readonly cause?: unknown
}> {}

/** Any failure of `Database.layer`. */
export type DatabaseError = DatabaseUnavailable | EmbeddedDatabaseLocked | EmbeddedDatabaseFailed

/** Any failure of running migrations. */
export type MigrationError = MigrationsInvalid | MigrationFailed | DatabaseUnavailable
