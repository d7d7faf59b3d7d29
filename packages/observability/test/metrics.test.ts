import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Metric } from "effect"
import { HttpRouter } from "effect/http"
import { Prometheus, RequestMetrics } from "../src/index.ts"

// Each test gets its own metric registry, so that series recorded elsewhere cannot make it pass.
const isolated = <A, E>(self: Effect.Effect<A, E>) => Effect.provideService(self, Metric.MetricRegistry, new Map())

const inFlight = Effect.map(Metric.value(RequestMetrics.requestsInFlight), (state) => state.value)

const linesOf = (text: string, name: string) => text.split("\n").filter((line) => line.startsWith(name))

describe("RequestMetrics + Prometheus", () => {
  it.effect("renders the three metrics with their label names and exact buckets", () =>
    isolated(
      Effect.gen(function* () {
        yield* RequestMetrics.recordRequest({ tenantId: "t1", toolName: "echo", status: "ok", durationSeconds: 0.03 })
        yield* RequestMetrics.recordRequest({ tenantId: "t1", toolName: "echo", status: "ok", durationSeconds: 2 })
        yield* RequestMetrics.recordRequest({
          tenantId: "t2",
          toolName: "tools/list",
          status: "error",
          durationSeconds: 7
        })
        yield* RequestMetrics.trackInFlight(Effect.void)
        const text = yield* Prometheus.text

        expect(text).toContain("# TYPE mcp_requests_total counter")
        expect(linesOf(text, "mcp_requests_total{").sort()).toEqual([
          'mcp_requests_total{tenant_id="t1",tool_name="echo",status="ok"} 2',
          'mcp_requests_total{tenant_id="t2",tool_name="tools/list",status="error"} 1'
        ])

        expect(text).toContain("# TYPE mcp_request_duration_seconds histogram")
        const t1Buckets = linesOf(text, 'mcp_request_duration_seconds_bucket{tenant_id="t1",tool_name="echo",le=')
        expect(t1Buckets).toEqual([
          'mcp_request_duration_seconds_bucket{tenant_id="t1",tool_name="echo",le="0.01"} 0',
          'mcp_request_duration_seconds_bucket{tenant_id="t1",tool_name="echo",le="0.05"} 1',
          'mcp_request_duration_seconds_bucket{tenant_id="t1",tool_name="echo",le="0.1"} 1',
          'mcp_request_duration_seconds_bucket{tenant_id="t1",tool_name="echo",le="0.5"} 1',
          'mcp_request_duration_seconds_bucket{tenant_id="t1",tool_name="echo",le="1"} 1',
          'mcp_request_duration_seconds_bucket{tenant_id="t1",tool_name="echo",le="5"} 2',
          'mcp_request_duration_seconds_bucket{tenant_id="t1",tool_name="echo",le="+Inf"} 2'
        ])
        expect(text).toContain('mcp_request_duration_seconds_sum{tenant_id="t1",tool_name="echo"} 2.03')
        expect(text).toContain('mcp_request_duration_seconds_count{tenant_id="t1",tool_name="echo"} 2')
        expect(text).toContain('mcp_request_duration_seconds_bucket{tenant_id="t2",tool_name="tools/list",le="5"} 0')
        expect(text).toContain('mcp_request_duration_seconds_bucket{tenant_id="t2",tool_name="tools/list",le="+Inf"} 1')

        expect(text).toContain("# TYPE mcp_requests_in_flight gauge")
        expect(linesOf(text, "mcp_requests_in_flight")).toEqual(["mcp_requests_in_flight 0"])
      })
    )
  )

  it.effect("in-flight goes up while running and back down on success, failure, defect and interruption", () =>
    isolated(
      Effect.gen(function* () {
        expect(yield* inFlight).toBe(0)

        const inside = yield* RequestMetrics.trackInFlight(RequestMetrics.trackInFlight(inFlight))
        expect(inside).toBe(2)
        expect(yield* inFlight).toBe(0)

        const failed = yield* Effect.exit(RequestMetrics.trackInFlight(Effect.fail("boom")))
        expect(Exit.isFailure(failed)).toBe(true)
        expect(yield* inFlight).toBe(0)

        const died = yield* Effect.exit(RequestMetrics.trackInFlight(Effect.die(new Error("defect"))))
        expect(Exit.isFailure(died)).toBe(true)
        expect(yield* inFlight).toBe(0)

        const started = yield* Deferred.make<void>()
        const fiber = yield* Effect.forkChild(
          RequestMetrics.trackInFlight(Effect.andThen(Deferred.succeed(started, undefined), Effect.never))
        )
        yield* Deferred.await(started)
        expect(yield* inFlight).toBe(1)
        yield* Fiber.interrupt(fiber)
        expect(yield* inFlight).toBe(0)
      })
    )
  )

  it.effect("track counts in flight and records every ending once (success, failure, interruption)", () =>
    isolated(
      Effect.gen(function* () {
        const finished = (status: string) => () => ({
          tenantId: "t-track",
          toolName: "echo",
          status,
          durationSeconds: 0.002
        })
        expect(yield* RequestMetrics.track(inFlight, finished("success"))).toBe(1)
        yield* Effect.exit(RequestMetrics.track(Effect.fail("no"), finished("tool_error")))
        const started = yield* Deferred.make<void>()
        const fiber = yield* Effect.forkChild(
          RequestMetrics.track(
            Effect.andThen(Deferred.succeed(started, undefined), Effect.never),
            finished("cancelled")
          )
        )
        yield* Deferred.await(started)
        expect(yield* inFlight).toBe(1)
        yield* Fiber.interrupt(fiber)
        expect(yield* inFlight).toBe(0)
        const text = yield* Prometheus.text
        const totals = linesOf(text, "mcp_requests_total").filter((line) => line.includes("t-track"))
        expect(totals.sort()).toEqual([
          'mcp_requests_total{tenant_id="t-track",tool_name="echo",status="cancelled"} 1',
          'mcp_requests_total{tenant_id="t-track",tool_name="echo",status="success"} 1',
          'mcp_requests_total{tenant_id="t-track",tool_name="echo",status="tool_error"} 1'
        ])
        expect(linesOf(text, "mcp_request_duration_seconds_count").filter((line) => line.includes("t-track"))).toEqual([
          'mcp_request_duration_seconds_count{tenant_id="t-track",tool_name="echo"} 3'
        ])
      })
    )
  )

  it("toolName is the tool/resource/prompt name for named methods, else the method", () => {
    expect(RequestMetrics.toolName("tools/call", "echo")).toBe("echo")
    expect(RequestMetrics.toolName("prompts/get", "greet")).toBe("greet")
    expect(RequestMetrics.toolName("resources/read", "readme")).toBe("readme")
    expect(RequestMetrics.toolName("tools/list")).toBe("tools/list")
    expect(RequestMetrics.toolName("tools/list", "ignored")).toBe("tools/list")
    expect(RequestMetrics.toolName("tools/call", "")).toBe("tools/call")
  })

  it.live("GET /metrics on the router answers the text with the Prometheus content type", () =>
    Effect.gen(function* () {
      // The route reads the process-wide default registry, as the app does.
      const tenantId = `route-${Date.now()}`
      yield* RequestMetrics.recordRequest({ tenantId, toolName: "echo", status: "ok", durationSeconds: 0.2 })
      const { handler, dispose } = HttpRouter.toWebHandler(Prometheus.route, { disableLogger: true })
      yield* Effect.addFinalizer(() => Effect.promise(dispose))

      const response = yield* Effect.promise(() => handler(new Request("http://localhost/metrics")))
      expect(response.status).toBe(200)
      expect(response.headers.get("content-type")?.startsWith("text/plain; version=0.0.4")).toBe(true)
      const body = yield* Effect.promise(() => response.text())
      expect(body).toContain(`mcp_requests_total{tenant_id="${tenantId}",tool_name="echo",status="ok"} 1`)

      const other = yield* Effect.promise(() => handler(new Request("http://localhost/metrics", { method: "POST" })))
      expect(other.status).not.toBe(200)
    })
  )
})
