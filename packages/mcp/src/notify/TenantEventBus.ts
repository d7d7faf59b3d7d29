/**
 * The SDK's event bus for 2026-07-28 subscription streams (`subscriptions/listen`), with each stream bound to the
 * tenant of the request that opened it: a resource update published for a tenant reaches that tenant's streams only
 * (list changes reach every stream, as the lists are filtered per caller anyway). The endpoint opens each modern
 * exchange inside `withTenant`, and the SDK's listen router subscribes within it (`AsyncLocalStorage` carries the
 * tenant into the SDK's asynchronous work); a stream opened outside any tenant hears every event.
 */
import { AsyncLocalStorage } from "node:async_hooks"
import type { ServerEvent, ServerEventBus } from "@modelcontextprotocol/server"

/** A bus whose listeners belong to tenants. */
export interface TenantEventBus extends ServerEventBus {
  /** Runs `f` with streams opened during it bound to `tenantId`. */
  readonly withTenant: <A>(tenantId: string | undefined, f: () => A) => A
  /** Publishes `event` to the streams of `tenantId` (every stream when undefined). */
  readonly publishFor: (tenantId: string | undefined, event: ServerEvent) => void
}

/** Makes the bus; `onError` hears of a listener that threw. */
export const make = (onError: (error: Error) => void): TenantEventBus => {
  const current = new AsyncLocalStorage<string | undefined>()
  const listeners = new Map<(event: ServerEvent) => void, string | undefined>()
  const publishFor = (tenantId: string | undefined, event: ServerEvent) => {
    for (const [listener, owner] of listeners) {
      if (tenantId !== undefined && owner !== undefined && owner !== tenantId) continue
      try {
        listener(event)
      } catch (error) {
        onError(error instanceof Error ? error : new Error(String(error)))
      }
    }
  }
  return {
    withTenant: (tenantId, f) => current.run(tenantId, f),
    publishFor,
    publish: (event) => publishFor(undefined, event),
    subscribe: (listener) => {
      listeners.set(listener, current.getStore())
      return () => {
        listeners.delete(listener)
      }
    }
  }
}
