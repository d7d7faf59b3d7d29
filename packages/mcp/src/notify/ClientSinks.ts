/**
 * Where change events go: every connected place (the subscription bus of modern HTTP clients, a 2025 session, a
 * stdio connection) registers a sink, and core's `Notifier` fans each event out to all of them.
 */
import { Notifier } from "@bulwark/core"
import { Context, Effect, Layer, type Scope } from "effect"

/** Somewhere change events go: the subscription bus of modern HTTP clients, a 2025 session, a stdio connection. */
export interface ClientSink {
  readonly toolsChanged: () => void
  readonly resourcesChanged: () => void
  readonly promptsChanged: () => void
  /** A resource changed; with `tenantId`, a sink that knows its tenant delivers it only to that tenant's clients. */
  readonly resourceUpdated: (uri: string, tenantId?: string) => void
}

/** The set of connected places that receive change events; transports register here while they serve. */
export interface ClientSinksShape {
  /** Registers a sink for the lifetime of the current scope. */
  readonly register: (sink: ClientSink) => Effect.Effect<void, never, Scope.Scope>
  /** Registers a sink until the returned function is called (for sinks whose life is not a scope, e.g. sessions). */
  readonly add: (sink: ClientSink) => () => void
}

/** The registry of connected clients that change events fan out to. */
export class ClientSinks extends Context.Service<ClientSinks, ClientSinksShape>()("@bulwark/mcp/ClientSinks") {}

const safely = (f: () => void) =>
  Effect.sync(f).pipe(
    Effect.catchDefect((defect) => Effect.logWarning("could not deliver a change notification", defect))
  )

/**
 * Provides both the registry and the core `Notifier` that publishes through it, so that a handler's
 * `ctx.notify.toolsChanged` reaches every connected client of this process.
 */
export const layer: Layer.Layer<ClientSinks | Notifier> = Layer.effectContext(
  Effect.sync(() => {
    const sinks = new Set<ClientSink>()
    const add = (sink: ClientSink) => {
      sinks.add(sink)
      return () => {
        sinks.delete(sink)
      }
    }
    // Suspended: the sinks are read when the event is published, not when the notifier is built (when there are none).
    const each = (f: (sink: ClientSink) => void) =>
      Effect.suspend(() => Effect.forEach([...sinks], (sink) => safely(() => f(sink)), { discard: true }))
    const registry: ClientSinksShape = {
      add,
      register: (sink) =>
        Effect.acquireRelease(
          Effect.sync(() => add(sink)),
          (remove) => Effect.sync(remove)
        ).pipe(Effect.asVoid)
    }
    return Context.make(ClientSinks, registry).pipe(
      Context.add(Notifier, {
        toolsChanged: each((sink) => sink.toolsChanged()),
        resourcesChanged: each((sink) => sink.resourcesChanged()),
        promptsChanged: each((sink) => sink.promptsChanged()),
        resourceUpdated: (uri, tenantId) => each((sink) => sink.resourceUpdated(uri, tenantId))
      })
    )
  })
)
