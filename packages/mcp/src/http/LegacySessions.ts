/**
 * The 2025-era sessions of this process, held in an `RcMap` as tenancy holds its tenants: a session is acquired when
 * its client sends `initialize`, retained by each request that uses it, and released (its SDK transport and server
 * closed) once it has been idle for the configured time, when its client ends it, or when the process stops. The
 * map's capacity caps how many sessions may be open, so clients cannot exhaust memory; concurrent `initialize`
 * requests cannot overshoot it. A session belongs to the principal that opened it: anyone else is told it does not
 * exist.
 */
import type { Principal } from "@bulwark/core"
import type { Server } from "@modelcontextprotocol/server"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/server"
import { type Cause, Effect, Option, RcMap, type Scope } from "effect"
import type { SubscriptionHooks } from "../bridge/ServerFactory.ts"
import type { ClientSink } from "../notify/ClientSinks.ts"

/** Limits on 2025-era sessions: how many may be open, and how long an idle one is kept. */
export interface SessionLimits {
  readonly maxSessions: number
  readonly idleTimeoutMs: number
}

/** One open 2025-era session: its SDK server and transport, and the resources its client subscribed to. */
export interface LegacySession {
  readonly id: string
  readonly server: Server
  readonly transport: WebStandardStreamableHTTPServerTransport
  /** Who opened the session; every later request on it must come from the same principal. */
  readonly principal: Principal | undefined
  readonly subscriptions: Set<string>
}

/** What opening a session needs from the endpoint. */
export interface SessionParts {
  /** A fresh SDK server for a session, with hooks that record its subscriptions. */
  readonly server: (hooks: SubscriptionHooks, principal: Principal | undefined) => Server
  /** Registers the session's change-event sink; returns its removal. */
  readonly addSink: (sink: ClientSink) => () => void
  readonly maxBodyBytes: number
}

/** The open sessions. */
export interface LegacySessions {
  /** Opens a session for an `initialize` request and answers it; 503 when the cap is reached. */
  readonly open: (
    principal: Principal | undefined,
    answer: (session: LegacySession) => Promise<Response>,
    full: () => Response
  ) => Effect.Effect<Response>
  /** The session `id` if it exists and belongs to `principal`, retained for the current scope. */
  readonly find: (
    id: string,
    principal: Principal | undefined
  ) => Effect.Effect<Option.Option<LegacySession>, never, Scope.Scope>
  /** How many sessions are open. */
  readonly size: () => number
}

const samePrincipal = (a: Principal | undefined, b: Principal | undefined): boolean =>
  a === undefined || b === undefined ? a === b : a.tenantId === b.tenantId && a.subject === b.subject

/**
 * The change-event sink of one session: list changes always, resource updates for what it subscribed to and only of
 * its own tenant.
 */
export const sessionSink = (session: Pick<LegacySession, "server" | "subscriptions" | "principal">): ClientSink => ({
  toolsChanged: () => void session.server.sendToolListChanged().catch(() => undefined),
  resourcesChanged: () => void session.server.sendResourceListChanged().catch(() => undefined),
  promptsChanged: () => void session.server.sendPromptListChanged().catch(() => undefined),
  resourceUpdated: (uri, tenantId) => {
    if (tenantId !== undefined && session.principal !== undefined && session.principal.tenantId !== tenantId) return
    if (session.subscriptions.has(uri)) void session.server.sendResourceUpdated({ uri }).catch(() => undefined)
  }
})

/** Builds the session map for the life of the current scope. */
export const make = (limits: SessionLimits, parts: SessionParts): Effect.Effect<LegacySessions, never, Scope.Scope> =>
  Effect.gen(function* () {
    /** Who is opening each session being acquired: the lookup is keyed by id alone. */
    const opening = new Map<string, Principal | undefined>()
    const open = new Set<string>()
    const runFork = Effect.runForkWith(yield* Effect.context<never>())

    const map: RcMap.RcMap<string, LegacySession, Cause.ExceededCapacityError> = yield* RcMap.make({
      lookup: (id: string) =>
        Effect.acquireRelease(
          Effect.promise(async () => {
            const subscriptions = new Set<string>()
            const server = parts.server(
              {
                subscribe: (uri) => void subscriptions.add(uri),
                unsubscribe: (uri) => void subscriptions.delete(uri)
              },
              opening.get(id)
            )
            const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
              sessionIdGenerator: () => id,
              maxRequestBodySize: parts.maxBodyBytes,
              // The client ended the session (DELETE), or the transport closed: release it now.
              onsessionclosed: () => void runFork(RcMap.invalidate(map, id))
            })
            transport.onclose = () => void runFork(RcMap.invalidate(map, id))
            await server.connect(transport)
            const session: LegacySession = { id, server, transport, principal: opening.get(id), subscriptions }
            const removeSink = parts.addSink(sessionSink(session))
            open.add(id)
            return { session, removeSink }
          }),
          ({ session, removeSink }) =>
            Effect.promise(async () => {
              open.delete(id)
              removeSink()
              await session.transport.close().catch(() => undefined)
              await session.server.close().catch(() => undefined)
            })
        ).pipe(Effect.map(({ session }) => session)),
      idleTimeToLive: limits.idleTimeoutMs,
      capacity: limits.maxSessions
    })

    return {
      size: () => open.size,
      open: (principal, answer, full) =>
        Effect.scoped(
          Effect.gen(function* () {
            const id = crypto.randomUUID()
            opening.set(id, principal)
            const acquired = yield* RcMap.get(map, id).pipe(
              Effect.ensuring(Effect.sync(() => opening.delete(id))),
              Effect.catchTag("ExceededCapacityError", () => Effect.succeed(undefined))
            )
            if (acquired === undefined) return full()
            const response = yield* Effect.promise(() => answer(acquired))
            // No session came of it (the initialize request was refused): do not keep it.
            if (acquired.transport.sessionId === undefined) yield* RcMap.invalidate(map, id)
            return response
          })
        ),
      find: (id, principal) =>
        RcMap.getOption(map, id).pipe(
          // Retaining an entry that exists never exceeds the capacity.
          Effect.orDie,
          Effect.map(Option.filter((session) => samePrincipal(session.principal, principal)))
        )
    }
  })
