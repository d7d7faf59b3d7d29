/**
 * What the HTTP edge must say about a request besides its JSON-RPC answer: a refused limit is 429 with
 * `Retry-After`, which a JSON-RPC error cannot express. The bridge fills the hints of the request it served from the
 * typed refusal; the edge applies them to the response. Transports without a status line have none. The bridge also
 * says whether the pipeline served the exchange, so that the edge logs a line only for exchanges it did not.
 */

/** The status and headers to set on the response, when the answer asks for them. */
export interface EdgeHints {
  status: number | undefined
  readonly headers: Record<string, string>
  /** Whether the pipeline served a request of this exchange (and logged its line, so the edge logs none). */
  piped: boolean
}

/** Fresh, empty hints for one request. */
export const make = (): EdgeHints => ({ status: undefined, headers: {}, piped: false })

/**
 * Applies the hints to a response (unchanged when there are none). An event stream keeps its 200: the stream is the
 * answer's envelope (a 2025 session's), clients read a non-2xx stream as a transport failure, and the JSON-RPC error
 * inside carries the same hint (`retryAfterMs`).
 */
export const apply = (response: Response, hints: EdgeHints): Response => {
  if (hints.status === undefined) return response
  if (response.headers.get("content-type")?.includes("text/event-stream") === true) return response
  const headers = new Headers(response.headers)
  for (const [name, value] of Object.entries(hints.headers)) headers.set(name, value)
  return new Response(response.body, { status: hints.status, statusText: "", headers })
}
