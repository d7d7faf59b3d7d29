/**
 * The request's one span at the HTTP edge: whose trace it joins (`_meta.traceparent` of the message, MCP's way, else
 * the `traceparent` header), and when it ends (once the response has been sent: at once, or when an event stream
 * finishes). Both HTTP paths, the SDK's and the fast path, open it the same way.
 */
import { type Clock, Exit, Option, type Tracer } from "effect"
import { Headers, HttpTraceContext } from "effect/http"
import type { Described } from "./describeRequest.ts"

/** Reads a request header (lower-case name); null when absent. */
export type HeaderLookup = (name: string) => string | null

/** The caller's trace (none: the span is a child of the current span, if the composition has one). */
export const callerTrace = (header: HeaderLookup, described: Described): Option.Option<Tracer.ExternalSpan> => {
  if (described.traceparent !== undefined) {
    return HttpTraceContext.w3c(
      Headers.fromInput({
        traceparent: described.traceparent,
        ...(described.tracestate === undefined ? {} : { tracestate: described.tracestate })
      })
    )
  }
  const traceparent = header("traceparent")
  if (traceparent === null) return Option.none()
  const tracestate = header("tracestate")
  return HttpTraceContext.w3c(Headers.fromInput(tracestate === null ? { traceparent } : { traceparent, tracestate }))
}

/**
 * The transport headers the pipeline reads (lower-case names): the caller's trace context, and an
 * `Idempotency-Key`. Everything else stays at the edge.
 */
export const requestHeaders = (header: HeaderLookup): Readonly<Record<string, string>> => {
  const traceparent = header("traceparent")
  const key = header("idempotency-key")
  if (traceparent === null && key === null) return NO_HEADERS
  const tracestate = traceparent === null ? null : header("tracestate")
  return {
    ...(traceparent === null ? {} : { traceparent }),
    ...(tracestate === null ? {} : { tracestate }),
    ...(key === null ? {} : { "idempotency-key": key })
  }
}

const NO_HEADERS: Readonly<Record<string, string>> = {}

/** Ends the span once the response has been sent: at once, or when an event stream finishes. */
export const endWhenSent = (span: Tracer.Span, clock: Clock.Clock, response: Response): Response => {
  const end = () => span.end(clock.currentTimeNanosUnsafe(), Exit.succeed(response))
  const streaming = response.headers.get("content-type")?.includes("text/event-stream") === true
  if (!streaming || response.body === null) {
    end()
    return response
  }
  const reader = response.body.getReader()
  const body = new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      const chunk = await reader.read()
      if (chunk.done) {
        end()
        controller.close()
      } else controller.enqueue(chunk.value)
    },
    cancel: (reason) => {
      end()
      return reader.cancel(reason)
    }
  })
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers })
}
