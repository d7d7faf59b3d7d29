/**
 * One long-lived MCP connection for one principal: what stdio and a WebSocket have in common. The SDK's connection
 * entry (`serveStdio`, which takes any `Transport`) decides the era from the opening exchange and pins one server
 * instance from the factory for the connection's life; every request enters the pipeline as the connection's
 * principal, and `notifications/cancelled` interrupts it. Change notifications reach the connection while it is
 * open: list changes to a 2025-era connection, resource updates for the URIs it subscribed to, and only those of its
 * own tenant.
 */
import type { Principal } from "@bulwark/core"
import type { Server, Transport } from "@modelcontextprotocol/server"
import { serveStdio } from "@modelcontextprotocol/server/stdio"
import type { ServerFactory } from "../bridge/ServerFactory.ts"
import type { ClientSinksShape } from "../notify/ClientSinks.ts"

/** An open connection. */
export interface Connection {
  /** Tears the connection down: its server instance, its transport, its registration for change notifications. */
  readonly close: () => Promise<void>
}

/** What a connection is served with. */
export interface ConnectionOptions {
  readonly factory: ServerFactory
  readonly sinks: ClientSinksShape
  /** Who the connection acts as (undefined without authentication). */
  readonly principal: Principal | undefined
  /** The connection's transport; this process's stdin/stdout when absent. */
  readonly transport?: Transport
  /** Hears of out-of-band transport errors (reporting only). */
  readonly onError: (error: Error) => void
}

/** Serves MCP on a transport until it closes or `close` is called. */
export const open = (options: ConnectionOptions): Connection => {
  const { principal } = options
  const subscriptions = new Set<string>()
  const servers = new Set<Server>()
  const hooks = {
    subscribe: (uri: string) => void subscriptions.add(uri),
    unsubscribe: (uri: string) => void subscriptions.delete(uri)
  }
  const remove = options.sinks.add({
    toolsChanged: () => servers.forEach((server) => void server.sendToolListChanged().catch(() => undefined)),
    resourcesChanged: () => servers.forEach((server) => void server.sendResourceListChanged().catch(() => undefined)),
    promptsChanged: () => servers.forEach((server) => void server.sendPromptListChanged().catch(() => undefined)),
    resourceUpdated: (uri, tenantId) => {
      if (!subscriptions.has(uri)) return
      if (tenantId !== undefined && principal !== undefined && principal.tenantId !== tenantId) return
      servers.forEach((server) => void server.sendResourceUpdated({ uri }).catch(() => undefined))
    }
  })
  const handle = serveStdio(
    (context) => {
      const server = options.factory(context, hooks, principal)
      if (context.era === "legacy") servers.add(server)
      return server
    },
    { onerror: options.onError, ...(options.transport === undefined ? {} : { transport: options.transport }) }
  )
  let closed: Promise<void> | undefined
  return {
    close: () => {
      closed ??= (async () => {
        remove()
        await handle.close()
      })()
      return closed
    }
  }
}
