/**
 * Domain errors: the failures a tool, resource or prompt declares, whose message an agent reads and can act on.
 * A handler lists its domain errors in its declaration (`errors: [TicketNotFound, ...]`); any other failure that
 * reaches the framework is treated as a defect: the agent gets an internal error carrying the request id and the
 * full cause is logged. So nothing internal (SQL, hosts, paths, a schema's parse tree) can reach an agent by accident.
 */
import { Schema } from "effect"

/** What a declared domain error looks like at run time: a tagged value with a message written for the agent. */
export interface DomainError {
  readonly _tag: string
  readonly message: string
}

/** The schema of a domain error, e.g. a `Schema.TaggedError` class. */
export type DomainErrorSchema = Schema.Top & { readonly Type: DomainError }

/** The errors a declaration's `errors` list admits. */
export type Declared<Errors extends ReadonlyArray<DomainErrorSchema>> = Errors[number]["Type"]

/** A ready-made domain error for handlers that need no error class of their own (declare it: `errors: [ToolError]`). */
export class ToolError extends Schema.TaggedError<ToolError>()("ToolError", {
  message: Schema.String
}) {}

/**
 * Builds, once per declaration, the test that tells a declared domain error from anything else a handler let
 * through.
 */
export const declaredBy = (errors: ReadonlyArray<DomainErrorSchema> | undefined): ((error: unknown) => boolean) => {
  const checks = (errors ?? []).map((schema) => Schema.is(schema))
  return (error) => checks.some((is) => is(error))
}
