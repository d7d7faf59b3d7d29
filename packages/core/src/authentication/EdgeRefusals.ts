/**
 * Requests refused before they became pipeline requests (a transport's authentication refused them, and later
 * other refusals at the edge): the port through which a transport reports them, so that each still leaves its one
 * record. `@bulwark/audit` implements it with the audit log; without it, refusals are only logged.
 */
import { Context, type Effect } from "effect"

/** What the edge knows about a request it refused. Only `reason` is required. */
export interface EdgeRefusal {
  /** Why it was refused, for the audit log only (e.g. `unknown API key`). */
  readonly reason: string
  /** The refusing step; `authentication` unless said otherwise. */
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
  /** How long the edge spent on the request before refusing it. */
  readonly durationMs?: number
}

/** Records requests refused at the edge. */
export class EdgeRefusals extends Context.Service<
  EdgeRefusals,
  { readonly record: (refusal: EdgeRefusal) => Effect.Effect<void> }
>()("@bulwark/core/EdgeRefusals") {}
