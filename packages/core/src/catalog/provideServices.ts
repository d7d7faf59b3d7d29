/**
 * Running a handler with the services its plugin was built with, inside the request's own context.
 */
import { Context, Effect } from "effect"

/**
 * Gives a handler the services its plugin was built with, while keeping everything of the request's own context
 * (current span, log annotations, request-scoped services), which wins where both have a value.
 */
export const provideServices =
  <R>(services: Context.Context<R>) =>
  <A, E>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E> =>
    Effect.updateContext(effect, (current: Context.Context<never>) => Context.merge(services, current))
