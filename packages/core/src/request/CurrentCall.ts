import { Context } from "effect"
import type { Access } from "./Access.ts"
import type { McpRequest } from "./McpRequest.ts"
import type { Principal } from "./Principal.ts"

/** The tenant of requests that carry no principal (library use without authentication). */
export const DEFAULT_TENANT = "default"

/**
 * What the pipeline knows about the request in flight. Stages fill it in as the request passes;
 * handlers read it (never trust a tenant or principal taken from arguments).
 */
export interface CallState {
  readonly request: McpRequest
  /** Bulwark's own id for the request, in logs, traces, errors and (later) the audit log. */
  readonly requestId: string
  /** The authenticated caller, from the transport. */
  readonly principal: Principal | undefined
  /** The principal's tenant (or the default tenant when there is no principal). */
  readonly tenantId: string
  readonly startedAt: number
  traceId: string | undefined
  spanId: string | undefined
  /** The tool, resource URI or prompt the request is about, once known. */
  target: string | undefined
  /** A bounded name for metrics: the tool or prompt name, or the resource's URI template. */
  label: string | undefined
  /** Decoded input of a tool call or prompt get, once validated. */
  input: unknown
  /** Per-call timeout in milliseconds chosen for this request. */
  timeoutMs: number | undefined
  /** The tenant's ceiling on any call's timeout, set by the tenancy stage. */
  timeoutCapMs: number | undefined
  /** What the principal may see and use; undefined means no authorization stage runs (everything is visible). */
  access: Access | undefined
  /** The stage that refused the request, if one did (for the audit log). */
  rejectedBy: string | undefined
}

/** The request in flight, provided by the pipeline to every stage and handler. */
export class CurrentCall extends Context.Service<CurrentCall, CallState>()("@bulwark/core/CurrentCall") {}
