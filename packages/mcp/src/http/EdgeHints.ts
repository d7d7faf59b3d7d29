/**
 * What the HTTP edge says about a request besides its JSON-RPC answer: a refused limit carries `Retry-After` (the
 * JSON-RPC error says the same in `data.retryAfterMs`). The answer itself stays an in-band JSON-RPC error with status
 * 200, as the official client reads errors in both protocol eras (it turns any other status of a tool call into a
 * transport failure that hides the code). The bridge fills the hints of the request it served from the typed
 * refusal; the edge applies them to the response. Transports without headers have none. The bridge also says whether
 * the pipeline served the exchange, so that the edge logs a line only for exchanges it did not.
 */

/** The headers to set on the response, when the answer asks for them. */
export interface EdgeHints {
  readonly headers: Record<string, string>
  /** Whether the pipeline served a request of this exchange (and logged its line, so the edge logs none). */
  piped: boolean
}

/** Fresh, empty hints for one request. */
export const make = (): EdgeHints => ({ headers: {}, piped: false })

/**
 * Applies the hints to a response (unchanged when there are none). An event stream is left as it is: its headers
 * went out before the answer existed, and the JSON-RPC error inside carries the same hint (`retryAfterMs`).
 */
export const apply = (response: Response, hints: EdgeHints): Response => {
  const names = Object.keys(hints.headers)
  if (names.length === 0) return response
  if (response.headers.get("content-type")?.includes("text/event-stream") === true) return response
  const headers = new Headers(response.headers)
  for (const name of names) headers.set(name, hints.headers[name]!)
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
}
