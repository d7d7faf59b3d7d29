/**
 * The way back to the client for one request, supplied by the transport: notifications tied to the request
 * (progress, log messages). Server-to-client requests (elicitation, sampling) travel as `input_required` results.
 */
import type { LoggingLevel } from "@modelcontextprotocol/server"

/** The way back to the client for one request. */
export interface ClientChannel {
  /** Sends a notification tied to the current request. */
  readonly notify: (method: string, params: Record<string, unknown>) => Promise<void>
  /** Sends a log message to the client, honouring its `logging/setLevel`. */
  readonly log: (level: LoggingLevel, data: unknown, logger?: string) => Promise<void>
}

/** A channel that drops everything: for requests that have no client to talk back to. */
export const silentChannel: ClientChannel = {
  notify: () => Promise.resolve(),
  log: () => Promise.resolve()
}
