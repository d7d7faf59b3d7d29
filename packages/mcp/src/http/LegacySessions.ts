import type { Principal } from "@bulwark/core"
import type { Server, WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/server"
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
  lastSeen: number
  removeSink: () => void
}

/**
 * The open 2025-era sessions of this process. Sessions hold the server-to-client channel that elicitation and
 * sampling need; idle ones are closed, and the count is capped so clients cannot exhaust memory.
 */
export class LegacySessions {
  private readonly sessions = new Map<string, LegacySession>()
  readonly limits: SessionLimits
  constructor(limits: SessionLimits) {
    this.limits = limits
  }

  get size(): number {
    return this.sessions.size
  }

  get(id: string): LegacySession | undefined {
    const session = this.sessions.get(id)
    if (session !== undefined) session.lastSeen = Date.now()
    return session
  }

  /** Sessions being opened: counted against the cap before their `initialize` has finished. */
  private pending = 0

  /**
   * Reserves room for one more session (closing expired ones if needed). Concurrent `initialize` requests cannot
   * overshoot the cap: each holds its reservation until the session is added or the attempt ends.
   */
  reserve(): boolean {
    if (this.sessions.size + this.pending >= this.limits.maxSessions) this.closeIdle()
    if (this.sessions.size + this.pending >= this.limits.maxSessions) return false
    this.pending++
    return true
  }

  /** Gives back a reservation (the session was added, or opening it failed). */
  release(): void {
    this.pending = Math.max(0, this.pending - 1)
  }

  add(session: LegacySession): void {
    this.sessions.set(session.id, session)
  }

  /** Forgets a session whose transport closed (client DELETE or shutdown). */
  remove(id: string): void {
    const session = this.sessions.get(id)
    if (session === undefined) return
    this.sessions.delete(id)
    session.removeSink()
  }

  /** Closes sessions idle longer than the limit. */
  closeIdle(now = Date.now()): void {
    for (const session of [...this.sessions.values()]) {
      if (now - session.lastSeen > this.limits.idleTimeoutMs) void this.close(session)
    }
  }

  /** Closes every session (shutdown). */
  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.sessions.values()].map((session) => this.close(session)))
  }

  private async close(session: LegacySession): Promise<void> {
    this.remove(session.id)
    await session.transport.close().catch(() => undefined)
    await session.server.close().catch(() => undefined)
  }
}

/** The change-event sink of one session: list changes always, resource updates for what it subscribed to. */
export const sessionSink = (session: Pick<LegacySession, "server" | "subscriptions">): ClientSink => ({
  toolsChanged: () => void session.server.sendToolListChanged().catch(() => undefined),
  resourcesChanged: () => void session.server.sendResourceListChanged().catch(() => undefined),
  promptsChanged: () => void session.server.sendPromptListChanged().catch(() => undefined),
  resourceUpdated: (uri) => {
    if (session.subscriptions.has(uri)) void session.server.sendResourceUpdated({ uri }).catch(() => undefined)
  }
})
