/**
 * The database section of Bulwark's configuration, as an Effect Schema the app decodes from its config file.
 *
 * @since 0.1.0
 */
import { Effect, Redacted, Schema } from "effect"

const isPostgresUrl = (value: string): boolean => {
  if (!/^postgres(ql)?:\/\//.test(value)) return false
  try {
    new URL(value)
    return true
  } catch {
    return false
  }
}

// The check runs on the Redacted value so that a failure message can never echo the URL (and its password).
const PostgresUrl = Schema.RedactedFromValue(Schema.String).check(
  Schema.makeFilter((url) =>
    isPostgresUrl(Redacted.value(url)) ? undefined : "must be a postgres:// or postgresql:// URL"
  )
)

/** Where the embedded PostgreSQL (PGlite) keeps its data when no `url` is configured. */
export const EmbeddedConfig = Schema.Struct({
  /** Directory PGlite persists to (created if missing). Defaults to `.bulwark/pglite` in the working directory. */
  dataDir: Schema.optionalKey(Schema.NonEmptyString),
  /** A throwaway in-memory database; takes precedence over `dataDir`. */
  inMemory: Schema.optionalKey(Schema.Boolean)
})

/**
 * Database settings: `url` selects an external PostgreSQL (pooled, `poolSize` connections); without it an embedded
 * PostgreSQL is started from `embedded`. Decode with `Schema.decodeUnknownEffect(DatabaseConfig)`, build in code
 * with `DatabaseConfig.make({ ... })`.
 */
export const DatabaseConfig = Schema.Struct({
  /** `postgres://user:password@host:5432/db`; held as `Redacted`, so logs and errors show `<redacted>`. */
  url: Schema.optionalKey(PostgresUrl),
  /** Maximum pooled connections to `url` (default 10). The embedded database always uses one (see README). */
  poolSize: Schema.Int.check(Schema.isGreaterThan(0)).pipe(
    Schema.withDecodingDefaultKey(Effect.succeed(10)),
    Schema.withConstructorDefault(Effect.succeed(10))
  ),
  embedded: Schema.optionalKey(EmbeddedConfig)
})

/** The decoded database settings. */
export type DatabaseConfig = typeof DatabaseConfig.Type

/** Default data directory of the embedded database, relative to the working directory. */
export const defaultDataDir = ".bulwark/pglite"
