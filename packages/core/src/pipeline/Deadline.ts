/**
 * How long a request may take, as facts stages hand to the rest of the chain: an admission stage may cap every
 * call's timeout (`TimeoutCap`, e.g. a tenant's ceiling), and the execute phase fixes the request's `Deadline` from
 * the tool's own timeout, the server's default and maximum, and that cap. Code that calls a backend reads the
 * deadline to give its own call no more than what is left.
 */
import { Clock, Context, Effect } from "effect"

/** A ceiling on any call's timeout in milliseconds, provided by an admission stage; none by default. */
export const TimeoutCap = Context.Reference<number | undefined>("@bulwark/core/TimeoutCap", {
  defaultValue: () => undefined
})

/** When the request in flight must be done: epoch milliseconds, and the timeout it was computed from. */
export interface RequestDeadline {
  readonly at: number
  readonly timeoutMs: number
}

/** The deadline of the request in flight; undefined outside the execute phase. */
export const Deadline = Context.Reference<RequestDeadline | undefined>("@bulwark/core/Deadline", {
  defaultValue: () => undefined
})

/** Milliseconds left before the request's deadline (never negative); undefined when it has none. */
export const remainingMillis: Effect.Effect<number | undefined> = Effect.gen(function* () {
  const deadline = yield* Deadline
  if (deadline === undefined) return undefined
  return Math.max(0, deadline.at - (yield* Clock.currentTimeMillis))
})
