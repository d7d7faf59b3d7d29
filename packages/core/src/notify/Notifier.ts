/**
 * Change events from handlers to connected clients: list changes and resource updates. Core only declares the
 * publisher; the serving layer supplies the real one.
 */
import { Context, Effect, Layer } from "effect"

/**
 * Publishes change events to connected clients: list changes and resource updates. The serving layer supplies the
 * real one (subscription streams for 2026-07-28 clients, session notifications for 2025 clients).
 */
export interface NotifierShape {
  readonly toolsChanged: Effect.Effect<void>
  readonly resourcesChanged: Effect.Effect<void>
  readonly promptsChanged: Effect.Effect<void>
  /**
   * A resource changed. With `tenantId`, only clients acting for that tenant hear of it (a handler's `ctx.notify`
   * gives its call's tenant): another tenant's client must not learn that the resource exists or changed.
   */
  readonly resourceUpdated: (uri: string, tenantId?: string) => Effect.Effect<void>
}

/** The change-event publisher handlers use. */
export class Notifier extends Context.Service<Notifier, NotifierShape>()("@bulwark/core/Notifier") {
  /** A notifier whose events reach nobody: for compositions without a long-lived transport. */
  static readonly none: Layer.Layer<Notifier> = Layer.succeed(Notifier, {
    toolsChanged: Effect.void,
    resourcesChanged: Effect.void,
    promptsChanged: Effect.void,
    resourceUpdated: () => Effect.void
  })
}
