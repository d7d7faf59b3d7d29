/**
 * What the pipeline asks the HTTP edge to say about a request besides the JSON-RPC answer, e.g. 429 with
 * `Retry-After` for a rate-limited call. Transports without a status line ignore it.
 */
export interface EdgeHints {
  status: number | undefined
  readonly headers: Record<string, string>
}

/** Fresh, empty hints for one request. */
export const makeEdgeHints = (): EdgeHints => ({ status: undefined, headers: {} })
