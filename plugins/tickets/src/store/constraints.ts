/**
 * Turns constraint violations reported by PostgreSQL into domain errors; every other SQL failure becomes a defect
 * (the pipeline answers it with an internal error carrying only the request id, and logs it).
 *
 * @internal
 */
import { Effect, Predicate } from "effect"
import { isSqlError, type SqlError } from "effect/sql/SqlError"

/** The name of the constraint a failed statement violated, when it was a constraint violation. */
export const violatedConstraint = (error: SqlError): string | undefined => {
  const reason = error.reason
  if (reason._tag === "UniqueViolation" && reason.constraint !== "unknown") return reason.constraint
  if (reason._tag !== "ConstraintError" && reason._tag !== "UniqueViolation") return undefined
  const cause = reason.cause
  return Predicate.hasProperty(cause, "constraint") && typeof cause.constraint === "string"
    ? cause.constraint
    : undefined
}

/**
 * Fails with the domain error mapped to the violated constraint, if there is a mapping; dies with the SQL error
 * otherwise.
 */
export const mapConstraints =
  <E>(byConstraint: Readonly<Record<string, () => E>>) =>
  <A, E2, R>(effect: Effect.Effect<A, E2 | SqlError, R>): Effect.Effect<A, E | Exclude<E2, SqlError>, R> =>
    Effect.catchIf(
      effect,
      (error): error is SqlError => isSqlError(error),
      (error) => {
        const constraint = violatedConstraint(error)
        const toDomain = constraint === undefined ? undefined : byConstraint[constraint]
        return toDomain === undefined ? Effect.die(error) : Effect.fail(toDomain())
      }
    ) as Effect.Effect<A, E | Exclude<E2, SqlError>, R>

/** Treats every SQL failure as a defect. */
export const sqlDefects = <A, E, R>(
  effect: Effect.Effect<A, E | SqlError, R>
): Effect.Effect<A, Exclude<E, SqlError>, R> => mapConstraints<never>({})(effect)
