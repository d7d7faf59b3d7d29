/**
 * Every backend of the catalog with its guard (see `BackendGuard.ts`), built once for the life of the layer: the
 * declared ones with their plugin's policy, those only named with the default policy. Readiness and the admin API
 * read their status here.
 */
import { Catalog } from "@bulwark/core"
import { Context, Effect, Layer } from "effect"
import { CircuitBreaker } from "effect/persistence"
import * as BackendGuard from "./BackendGuard.ts"

/** The backends' guards. */
export interface BackendsShape {
  /** The guard of a backend the catalog knows; undefined for any other name. */
  readonly get: (name: string) => BackendGuard.BackendGuard | undefined
  /** Every backend's status, by name. */
  readonly statuses: Effect.Effect<ReadonlyArray<BackendGuard.BackendStatus>>
}

/** The backends' guards, as a service. */
export class Backends extends Context.Service<Backends, BackendsShape>()("@bulwark/resilience/Backends") {}

/** Guards every backend of the catalog in context; breakers keep their state in this process. */
export const layer: Layer.Layer<Backends, never, Catalog.Catalog> = Layer.effect(
  Backends,
  Effect.gen(function* () {
    const catalog = yield* Catalog.Catalog
    const guards = new Map<string, BackendGuard.BackendGuard>()
    for (const backend of catalog.backendPolicies.values()) guards.set(backend.name, yield* BackendGuard.make(backend))
    return Backends.of({
      get: (name) => guards.get(name),
      statuses: Effect.forEach([...guards.values()], (guard) => guard.status)
    })
  })
).pipe(Layer.provide(CircuitBreaker.layerStoreMemory()))
