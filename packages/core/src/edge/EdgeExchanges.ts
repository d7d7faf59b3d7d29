/**
 * Exchanges that ended before, or without, a pipeline request: refusals at the edge (a foreign Host, a body too
 * large, a refused credential, a throttled address, a server at capacity), requests the protocol layer answers itself
 * (`initialize`, `ping`, a notification, a malformed message) and requests it rejects before any handler runs. The
 * port through which a transport reports them, so that every request that reaches the server leaves its one record,
 * as pipeline requests do. `@bulwark/audit` implements it with the audit log; without it they are only logged.
 */
import { Context, type Effect } from "effect"
import type { Outcome } from "../pipeline/Outcome.ts"

/** What the edge knows about an exchange it ended. Only `outcome` is required. */
export interface EdgeExchange {
  /** How it ended (`rejected` for a refusal at the edge). */
  readonly outcome: Outcome
  /** Why it was refused, for the audit log only (e.g. `unknown API key`). */
  readonly reason?: string
  /** The refusing step (`authentication`, `host`, `admission`, ...), for a refusal. */
  readonly refusedBy?: string
  /** The JSON-RPC error code answered, if the answer was a JSON-RPC error. */
  readonly errorCode?: number
  readonly method?: string
  readonly target?: string
  /** Known only when the credential named a tenant. */
  readonly tenantId?: string
  /** What the credential claimed (a key id, a token's subject) and the scheme tried, if known. */
  readonly principal?: { readonly subject?: string; readonly method?: string }
  /** A fresh UUID when not given. */
  readonly requestId?: string
  readonly traceId?: string
  /** How long the edge spent on the request. */
  readonly durationMs?: number
  /**
   * How many requests this one record stands for, when repeated refusals of one kind from one address are recorded
   * together (a throttled address, a server shedding load); 1 when absent.
   */
  readonly count?: number
  /** The client's network address, where the record is about it (aggregated refusals). */
  readonly clientAddress?: string
}

/** Records exchanges that ended at the edge. */
export class EdgeExchanges extends Context.Service<
  EdgeExchanges,
  { readonly record: (exchange: EdgeExchange) => Effect.Effect<void> }
>()("@bulwark/core/EdgeExchanges") {}
