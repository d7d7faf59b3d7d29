/**
 * A tenant's actor: what one running tenant owns in its own scope. It lives while requests use it and a while
 * after (see `Tenants`); closing its scope interrupts its background fibers.
 *
 * @since 0.1.0
 */
import { Context, Effect, Scope } from "effect"
import * as Permits from "./Permits.ts"
import { type Backoff, supervise } from "./Supervisor.ts"
import type { TenantConfig } from "./TenantConfig.ts"

/** One running tenant. */
export interface Tenant {
  readonly id: string
  /** Counts bring-ups in this process: a new number means the tenant was released and brought up again. */
  readonly incarnation: number
  /** The configuration in force now. A request takes one snapshot of it and keeps it to the end. */
  readonly config: Effect.Effect<TenantConfig>
  /** The same, read at once (the request path's way). */
  readonly configUnsafe: () => TenantConfig
  /** The tenant's concurrency permits (resized when its configuration changes; in-flight calls keep theirs). */
  readonly permits: Permits.Permits
  /** The prefix of every cache key of this tenant, so caches never mix tenants. */
  readonly cacheNamespace: string
  /** A rate limiter key of this tenant. */
  readonly limiterKey: (name: string) => string
  /** Runs background work in the tenant's scope, supervised: a crash is logged, counted and restarted. */
  readonly fork: <E>(task: string, effect: Effect.Effect<void, E>) => Effect.Effect<void>
}

/** The actor and what only `Tenants` may do with it. */
export interface TenantHandle {
  readonly tenant: Tenant
  /** Puts a new configuration in force (from the next request on). */
  readonly apply: (config: TenantConfig) => Effect.Effect<void>
}

/** How the actor is built. */
export interface TenantOptions {
  readonly incarnation: number
  /** The context background work runs in (the tenancy layer's, not the first request's). */
  readonly context: Context.Context<never>
  readonly backoff?: Backoff
}

const permitsOf = (config: TenantConfig): number => config.limits.concurrency?.permits ?? Number.MAX_SAFE_INTEGER

/** Brings a tenant up in the current scope. */
export const make = (config: TenantConfig, options: TenantOptions): Effect.Effect<TenantHandle, never, Scope.Scope> =>
  Effect.gen(function* () {
    const scope = yield* Effect.scope
    // Background work runs in the tenancy layer's context with the tenant's scope: its finalizers run at release.
    const background = Context.add(options.context, Scope.Scope, scope)
    let current = config
    const permits = Permits.make(permitsOf(config))
    const prefix = `tenant/${config.id}/`
    // The keys made for each name, so that a request builds none (and a bucket's lookup hashes no new string).
    const limiterKeys = new Map<string, string>()
    const tenant: Tenant = {
      id: config.id,
      incarnation: options.incarnation,
      config: Effect.sync(() => current),
      configUnsafe: () => current,
      permits,
      cacheNamespace: prefix,
      limiterKey: (name) => {
        let key = limiterKeys.get(name)
        if (key === undefined) {
          key = `${prefix}${name}`
          // Names are a tenant's rates and its tools': a bounded set, but bounded here all the same.
          if (limiterKeys.size >= 1000) limiterKeys.clear()
          limiterKeys.set(name, key)
        }
        return key
      },
      fork: (task, effect) =>
        supervise(effect, {
          task,
          tenantId: config.id,
          ...(options.backoff === undefined ? {} : { backoff: options.backoff })
        }).pipe(Effect.provideContext(background), Effect.forkIn(scope), Effect.asVoid)
    }
    const apply = (next: TenantConfig) =>
      Effect.withFiber((fiber) => {
        const resize = permitsOf(next) !== permitsOf(current)
        current = next
        if (resize) permits.resize(permitsOf(next), fiber)
        return Effect.void
      })
    return { tenant, apply }
  })
