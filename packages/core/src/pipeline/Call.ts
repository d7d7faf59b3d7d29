/**
 * The request in flight, as the pipeline carries it: the transport's request, Bulwark's own request id, the
 * principal and tenant, when it started, and what it is about. A `Call` is an immutable value made once per request;
 * a stage that learns something passes a new value (or a service) to the rest of the chain, never a mutation.
 * Handlers find it in `CurrentCall` (and `ToolContext.call`); they never take a tenant or principal from arguments.
 */
import { Context } from "effect"
import type { McpRequest } from "../request/McpRequest.ts"
import type { Principal } from "../request/Principal.ts"
import type { Target } from "./Target.ts"

/** The tenant of requests that carry no principal (library use without authentication). */
export const DEFAULT_TENANT = "default"

/** One request in flight. */
export interface Call {
  readonly request: McpRequest
  /** Bulwark's own id for the request, in logs, traces, errors and the audit log. */
  readonly requestId: string
  /** The authenticated caller, from the transport. */
  readonly principal: Principal | undefined
  /** The principal's tenant (or the default tenant when there is no principal). */
  readonly tenantId: string
  /** `performance.now()` when the request entered the pipeline. */
  readonly startedAt: number
  /** What the request is about. */
  readonly target: Target
  /**
   * The tool's or prompt's arguments as decoded by the validate phase; undefined before it (and for requests
   * without arguments).
   */
  readonly input?: unknown
}

/** The request in flight, provided by the pipeline to the methods and handlers. */
export class CurrentCall extends Context.Service<CurrentCall, Call>()("@bulwark/core/CurrentCall") {}
