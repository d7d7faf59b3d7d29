/**
 * Running a handler with the services its plugin was built with, inside the request's own context.
 */
import { Context, Effect } from "effect"

/** Whether `context` holds a value for the string `key` (looked up without copying the context). */
const holds = (context: Context.Context<never>, key: string): boolean =>
  Context.getOrUndefined(context, { key } as unknown as Context.Key<never, unknown>) !== undefined

/**
 * Gives a handler the services its plugin was built with, while keeping everything of the request's own context
 * (current span, log annotations, request-scoped services), which wins where both have a value. Make it once per
 * plugin and apply it per request: each request adds only the plugin's services its context lacks (none for a
 * plugin without services), rather than copying the application's whole context into a merged one.
 */
export const provideServices = <R>(services: Context.Context<R>) => {
  const entries = [...services.mapUnsafe]
  return <A, E>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E> =>
    entries.length === 0
      ? (effect as Effect.Effect<A, E>)
      : Effect.updateContext(effect, (current: Context.Context<never>): Context.Context<R> => {
          let context = current as Context.Context<R>
          for (const [key, value] of entries) if (!holds(current, key)) context = Context.addUnsafe(context, key, value)
          return context
        })
}
