// #region readme
import { JsonLogs, Prometheus, RequestMetrics, Tracing } from "@bulwark/observability"
import { Effect, Exit, Layer } from "effect"
import { HttpRouter } from "effect/http"

// The request pipeline: plain Effect APIs around each MCP request.
export const observeRequest = <A, E, R>(
  request: { readonly tenantId: string; readonly method: string; readonly name?: string },
  handle: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => {
  const toolName = RequestMetrics.toolLabel(request.method, request.name)
  return Effect.suspend(() => {
    const started = performance.now()
    return RequestMetrics.track(
      Effect.tap(handle, () => Effect.logDebug("request handled")),
      (exit) => ({
        tenantId: request.tenantId,
        method: request.method,
        toolName,
        status: Exit.isSuccess(exit) ? "success" : "internal_error",
        durationSeconds: (performance.now() - started) / 1000
      })
    ).pipe(
      Effect.annotateLogs({ tenantId: request.tenantId, method: request.method, tool: toolName }),
      Effect.withSpan(`mcp ${request.method}`)
    )
  })
}

// The app: JSON logs on stderr, OTLP traces when OTEL_* is set, and GET /metrics on its router (merge
// Prometheus.route with the MCP routes). Provide, not merge, ObservabilityLive so that request fibers log and
// trace through it; then provide an HttpServer (e.g. NodeHttpServer.layer) and launch.
export const ObservabilityLive = Layer.mergeAll(JsonLogs.layer(process.env.LOG_LEVEL), Tracing.layer)
export const AppLive = HttpRouter.serve(Prometheus.route()).pipe(Layer.provide(ObservabilityLive))

// #endregion readme

import { describe, expect, it } from "@effect/vitest"

describe("README example", () => {
  it.live("records metrics for ok and failed requests and serves them on GET /metrics", () =>
    Effect.gen(function* () {
      const tenantId = `readme-${Date.now()}`
      const echo = observeRequest({ tenantId, method: "tools/call", name: "echo" }, Effect.succeed("hi"))
      const list = observeRequest({ tenantId, method: "tools/list" }, Effect.fail("unavailable"))
      expect(yield* echo.pipe(Effect.provide(ObservabilityLive))).toBe("hi")
      expect(yield* Effect.flip(list.pipe(Effect.provide(ObservabilityLive)))).toBe("unavailable")

      const { handler, dispose } = HttpRouter.toWebHandler(Prometheus.route(), { disableLogger: true })
      yield* Effect.addFinalizer(() => Effect.promise(dispose))
      const response = yield* Effect.promise(() => handler(new Request("http://localhost/metrics")))
      const text = yield* Effect.promise(() => response.text())
      const label = `tenant_id="${tenantId}"`
      expect(text).toContain(`mcp_requests_total{${label},method="tools/call",tool_name="echo",status="success"} 1`)
      expect(text).toContain(`mcp_requests_total{${label},method="tools/list",tool_name="",status="internal_error"} 1`)
      expect(text).toContain(`mcp_request_duration_seconds_count{method="tools/call",tool_name="echo"}`)
      expect(text).toContain("mcp_requests_in_flight 0")
    })
  )
})
