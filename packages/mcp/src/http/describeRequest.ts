/**
 * What an HTTP request to the endpoint says it is, read once from what the edge already has and without trusting it:
 * the method, what it names (a tool or prompt name, a resource URI) and the caller's trace context, from the single
 * JSON-RPC message of the body, else from the `Mcp-Method` and `Mcp-Name` headers of 2026-07-28. A batch says
 * nothing; arguments are never read. Used to name the request's span and to describe a refusal before the pipeline.
 */
import { Predicate } from "effect"

/** What the request says it is. */
export interface Described {
  readonly method?: string
  readonly target?: string
  readonly traceparent?: string
  readonly tracestate?: string
  /** Whether the body is exactly one JSON-RPC message (a span is handed to the pipeline only then). */
  readonly single: boolean
}

const asRecord = (u: unknown): Readonly<Record<string, unknown>> => (Predicate.isObject(u) ? u : {})

/** Describes a request from its parsed body (undefined when it did not parse) and its headers. */
export const describeRequest = (
  headers: { readonly get: (name: string) => string | null },
  body: unknown
): Described => {
  const single = typeof body === "object" && body !== null && !Array.isArray(body)
  const message = asRecord(body)
  const params = asRecord(message.params)
  const meta = asRecord(params._meta)
  const method = typeof message.method === "string" ? message.method : (headers.get("mcp-method") ?? undefined)
  const named = params.name ?? params.uri
  const target = typeof named === "string" ? named : single ? undefined : (headers.get("mcp-name") ?? undefined)
  return {
    single,
    ...(method === undefined ? {} : { method }),
    ...(target === undefined ? {} : { target }),
    ...(typeof meta.traceparent === "string" ? { traceparent: meta.traceparent } : {}),
    ...(typeof meta.tracestate === "string" ? { tracestate: meta.tracestate } : {})
  }
}
