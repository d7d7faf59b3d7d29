/**
 * Configuration keys that may be left out: the one helper every configuration schema (the server's, identity's,
 * tenancy's, audit's, a plugin's) uses, so that a default is written once, in the form the file would have it.
 */
import { Effect, Schema } from "effect"

/** A struct key that may be absent; `value` is what the file would have said (e.g. `"30 seconds"`, `{}`). */
export const withDefault = <S extends Schema.Top>(schema: S, value: S["Encoded"]): Schema.withDecodingDefaultKey<S> =>
  schema.pipe(Schema.withDecodingDefaultKey(Effect.succeed(value)))
