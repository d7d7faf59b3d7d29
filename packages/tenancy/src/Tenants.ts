/**
 * The running tenants of this process: a tenant is brought up on first use, kept while requests use it, released
 * after an idle time, and given every change of its configuration while it runs (from the {@link ChangeFeed}).
 *
 * @since 0.1.0
 */
import { Context, Duration, Effect, Exit, Layer, Metric, Option, RcMap, Scope, Semaphore } from "effect"
import { ChangeFeed } from "./ChangeFeed.ts"
import { type TenancyStoreError, TenantNotFound } from "./Errors.ts"
import type { Backoff } from "./Supervisor.ts"
import * as TenancyMetrics from "./TenancyMetrics.ts"
import { make as makeTenant, type Tenant, type TenantHandle } from "./Tenant.ts"
import { TenantDirectory } from "./TenantDirectory.ts"

/** Background work started in the scope of every tenant brought up, supervised. */
export interface BackgroundTask {
  readonly name: string
  readonly run: (tenant: Tenant) => Effect.Effect<void, unknown>
}

/** Settings of the running tenants. */
export interface TenantsOptions {
  /** How long a tenant no request uses stays up (default 5 minutes). */
  readonly idleTimeToLive?: Duration.Input
  /** Started for each tenant when it is brought up. */
  readonly background?: ReadonlyArray<BackgroundTask>
  /** Restart backoff of background work. */
  readonly backoff?: Backoff
}

/** The running tenants. */
export interface TenantsShape {
  /**
   * The tenant's actor, held for the life of the current scope (a request's); brought up on first use. Fails with
   * `TenantNotFound` for an unknown tenant. A disabled tenant comes up too: its requests are refused by the guards.
   */
  readonly get: (tenantId: string) => Effect.Effect<Tenant, TenantNotFound | TenancyStoreError, Scope.Scope>
  /**
   * Runs `use` with the tenant's actor held until it ends, as `get` in a scope of its own would, but without a scope
   * per call: calls share one hold on the actor, kept a little after the last (see `join`). Fails as `get` does.
   */
  readonly hold: <A, E, R>(
    tenantId: string,
    use: (tenant: Tenant) => Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | TenantNotFound | TenancyStoreError, R>
  /**
   * Joins at once the hold that calls on the tenant share: the request path's way in. `undefined` when there is none
   * (the tenant's first call, or the first after a quiet spell: then `hold` brings one up, waiting for the actor).
   */
  readonly join: (tenantId: string) => Joined | undefined
  /** The ids of the tenants up in this process now. */
  readonly live: Effect.Effect<ReadonlyArray<string>>
}

/** A hold on a tenant's actor that a call joined (see `join`). */
export interface Joined {
  readonly tenant: Tenant
  /** Gives a call's share back: call it once for each `join`, when the call ends. */
  readonly leave: () => undefined
}

/** One reference to a tenant's actor, shared by the calls running on it and kept a little after the last. */
interface Hold extends Joined {
  calls: number
  /** Whether a call joined since the last sweep. */
  used: boolean
  readonly scope: Scope.Closeable
}

/** Tenant actors, brought up on demand and released when idle. */
export class Tenants extends Context.Service<Tenants, TenantsShape>()("@bulwark/tenancy/Tenants") {}

/** Builds the running tenants for the life of the current scope. */
export const make = (
  options: TenantsOptions = {}
): Effect.Effect<TenantsShape, never, TenantDirectory | ChangeFeed | Scope.Scope> =>
  Effect.gen(function* () {
    const directory = yield* TenantDirectory
    const feed = yield* ChangeFeed
    const context = yield* Effect.context<never>()
    const handles = new Map<string, TenantHandle>()
    // Changes seen per tenant: a change that lands while a tenant is being brought up is re-read afterwards.
    const changesSeen = new Map<string, number>()
    let incarnations = 0

    // Reloads read and apply under one lock, so that a slow one can never put back an older configuration.
    const reloading = yield* Semaphore.make(1)
    const reload = (handle: TenantHandle) =>
      directory.get(handle.tenant.id).pipe(
        Effect.flatMap(
          Option.match({
            // Tenants are never deleted, only disabled; treat a vanished row as disabled all the same.
            onNone: () => Effect.flatMap(handle.tenant.config, (config) => handle.apply({ ...config, enabled: false })),
            onSome: (stored) => handle.apply(stored.config)
          })
        ),
        reloading.withPermit,
        Effect.catch((error) => Effect.logWarning(`reloading tenant "${handle.tenant.id}" failed`, error))
      )

    const lookup = (tenantId: string) =>
      Effect.gen(function* () {
        const seen = changesSeen.get(tenantId) ?? 0
        const stored = yield* directory.get(tenantId)
        if (Option.isNone(stored)) return yield* new TenantNotFound({ tenantId })
        const handle = yield* makeTenant(stored.value.config, {
          incarnation: ++incarnations,
          context,
          ...(options.backoff === undefined ? {} : { backoff: options.backoff })
        })
        handles.set(tenantId, handle)
        yield* Metric.update(TenancyMetrics.tenantsLive, handles.size)
        yield* TenancyMetrics.count(TenancyMetrics.concurrencyRejected, { tenant_id: tenantId }, 0)
        yield* Effect.addFinalizer(() =>
          Effect.suspend(() => {
            if (handles.get(tenantId) === handle) handles.delete(tenantId)
            return Metric.update(TenancyMetrics.tenantsLive, handles.size)
          }).pipe(Effect.andThen(Effect.logDebug(`tenant "${tenantId}" released`)))
        )
        if ((changesSeen.get(tenantId) ?? 0) !== seen) yield* reload(handle)
        for (const task of options.background ?? []) yield* handle.tenant.fork(task.name, task.run(handle.tenant))
        yield* Effect.logDebug(`tenant "${tenantId}" up`)
        return handle.tenant
      })

    const idleTimeToLive = Duration.fromInputUnsafe(options.idleTimeToLive ?? "5 minutes")
    const actors = yield* RcMap.make({
      lookup,
      idleTimeToLive
    })

    yield* feed.subscribe((change) => {
      switch (change._tag) {
        case "TenantChanged": {
          changesSeen.set(change.tenantId, (changesSeen.get(change.tenantId) ?? 0) + 1)
          const handle = handles.get(change.tenantId)
          return handle === undefined ? Effect.void : reload(handle)
        }
        case "Resync":
          return Effect.forEach([...handles.values()], reload, { discard: true })
        default:
          return Effect.void
      }
    })

    // A failed lookup must not be remembered until the idle time runs out: the tenant may be created next.
    const get = (tenantId: string) =>
      RcMap.get(actors, tenantId).pipe(Effect.tapError(() => RcMap.invalidate(actors, tenantId)))

    // The holds shared by calls: one reference to the actor (in the hold's scope) while any call runs, kept until a
    // sweep finds it unused since the one before, so that calls one after the other (most finish within a turn of
    // the event loop) join it at once rather than take a reference each. Closing a hold starts the actor's idle time
    // as it would after `get`: a tenant no call uses is released within its idle time and two sweep periods.
    const holds = new Map<string, Hold>()
    const makeHold = (tenant: Tenant, scope: Scope.Closeable): Hold => {
      const hold: Hold = {
        tenant,
        calls: 0,
        used: true,
        scope,
        leave: () => {
          hold.calls--
          return undefined
        }
      }
      return hold
    }
    const leave = (hold: Hold) => Effect.sync(hold.leave)
    const enterNow = (held: Hold) => {
      held.calls++
      held.used = true
    }
    const join = (tenantId: string): Joined | undefined => {
      const held = holds.get(tenantId)
      if (held === undefined) return undefined
      enterNow(held)
      return held
    }
    // Drops the holds `done` says are done with (from the map at once), then closes their scopes.
    const drop = (done: (held: Hold) => boolean) =>
      Effect.suspend(() => {
        const closing: Array<Scope.Closeable> = []
        for (const [tenantId, held] of holds) {
          if (!done(held)) continue
          holds.delete(tenantId)
          closing.push(held.scope)
        }
        return Effect.forEach(closing, (scope) => Scope.close(scope, Exit.void), { discard: true })
      })
    const sweep = drop((held) => {
      if (held.calls === 0 && !held.used) return true
      held.used = false
      return false
    })
    yield* sweep.pipe(
      Effect.delay(Duration.millis(Math.min(1000, Math.max(10, Duration.toMillis(idleTimeToLive) / 2)))),
      Effect.forever,
      Effect.forkScoped
    )
    // At the end, every hold goes (the actors' own finalizers run as the map closes).
    yield* Effect.addFinalizer(() => drop(() => true))
    const hold = <A, E, R>(tenantId: string, use: (tenant: Tenant) => Effect.Effect<A, E, R>) =>
      Effect.uninterruptibleMask((restore) => {
        const enter = (held: Hold) => {
          enterNow(held)
          return Effect.ensuring(restore(use(held.tenant)), leave(held))
        }
        const held = holds.get(tenantId)
        if (held !== undefined) return enter(held)
        const scope = Scope.makeUnsafe()
        return restore(get(tenantId)).pipe(
          Scope.provide(scope),
          Effect.onError(() => Scope.close(scope, Exit.void)),
          Effect.flatMap((tenant) => {
            const other = holds.get(tenantId)
            if (other !== undefined) {
              // Another call brought the hold up meanwhile: join it and give this reference back.
              return Effect.andThen(Scope.close(scope, Exit.void), enter(other))
            }
            const fresh = makeHold(tenant, scope)
            holds.set(tenantId, fresh)
            return enter(fresh)
          })
        )
      })

    return Tenants.of({
      get,
      hold,
      join,
      live: Effect.sync(() => [...handles.keys()])
    })
  })

/** Provides the running tenants. */
export const layer = (options: TenantsOptions = {}): Layer.Layer<Tenants, never, TenantDirectory | ChangeFeed> =>
  Layer.effect(Tenants, make(options))
