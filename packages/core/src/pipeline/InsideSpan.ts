/**
 * Running an effect inside a span in one change of the fiber's context. `Effect.withParentSpan` makes two (the parent
 * span, then the span's stack frame), each an operation and a rebuild of the fiber's cached references, and a
 * service provided beside it makes a third; on the path every request takes (the edge's request span) the span, its
 * frame and those services go in together.
 */
import { Context, Effect, References, Tracer } from "effect"

/** No stack to show for a frame: spans on the hot path capture none. */
const noStack = () => undefined

/**
 * `effect` with `span` as its parent span (and the span's name as its stack frame, as `Effect.withParentSpan`
 * gives), plus whatever `add` puts into the same context.
 */
export const insideSpan = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  span: Tracer.AnySpan,
  add?: (context: Context.Context<never>) => Context.Context<never>
): Effect.Effect<A, E, Exclude<R, Tracer.ParentSpan>> =>
  Effect.updateContext(effect, (context: Context.Context<Exclude<R, Tracer.ParentSpan>>) => {
    let next = Context.add(context, Tracer.ParentSpan, span)
    if (span._tag === "Span") {
      next = Context.add(next, References.CurrentStackFrame, {
        name: span.name,
        stack: noStack,
        parent: Context.get(context, References.CurrentStackFrame)
      })
    }
    return (add === undefined ? next : add(next as Context.Context<never>)) as Context.Context<R>
  })
