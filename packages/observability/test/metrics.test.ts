import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Metric } from "effect"
import { HttpRouter } from "effect/http"
import { ProcessMetrics, Prometheus, RequestMetrics, series } from "../src/index.ts"

// Each test gets its own metric registry, so that series recorded elsewhere cannot make it pass.
const isolated = <A, E>(self: Effect.Effect<A, E>) => Effect.provideService(self, Metric.MetricRegistry, new Map())

const inFlight = Effect.map(Metric.value(RequestMetrics.requestsInFlight), (state) => state.value)

const linesOf = (text: string, name: string) => text.split("\n").filter((line) => line.startsWith(name))

describe("RequestMetrics + Prometheus", () => {
  it.effect("renders the three metrics with their label names and exact buckets", () =>
    isolated(
      Effect.gen(function* () {
        const echo = { tenantId: "t1", method: "tools/call", toolName: "echo", status: "success" }
        yield* RequestMetrics.recordRequest({ ...echo, durationSeconds: 0.03 })
        yield* RequestMetrics.recordRequest({ ...echo, durationSeconds: 2 })
        yield* RequestMetrics.recordRequest({
          tenantId: "t2",
          method: "tools/list",
          toolName: "",
          status: "internal_error",
          durationSeconds: 45
        })
        yield* RequestMetrics.trackInFlight(Effect.void)
        const text = yield* Prometheus.text()

        expect(text).toContain("# TYPE mcp_requests_total counter")
        expect(linesOf(text, "mcp_requests_total{").sort()).toEqual([
          'mcp_requests_total{tenant_id="t1",method="tools/call",tool_name="echo",status="success"} 2',
          'mcp_requests_total{tenant_id="t2",method="tools/list",tool_name="",status="internal_error"} 1'
        ])

        // By default the histogram is per method and tool, not per tenant.
        expect(text).toContain("# TYPE mcp_request_duration_seconds histogram")
        const echoBuckets = linesOf(
          text,
          'mcp_request_duration_seconds_bucket{method="tools/call",tool_name="echo",le='
        )
        expect(echoBuckets.map((line) => line.replace(/.*le="([^"]+)"\} /, "$1 "))).toEqual([
          "0.005 0",
          "0.01 0",
          "0.025 0",
          "0.05 1",
          "0.1 1",
          "0.25 1",
          "0.5 1",
          "1 1",
          "2.5 2",
          "5 2",
          "10 2",
          "30 2",
          "60 2",
          "+Inf 2"
        ])
        expect(text).toContain('mcp_request_duration_seconds_sum{method="tools/call",tool_name="echo"} 2.03')
        expect(text).toContain('mcp_request_duration_seconds_count{method="tools/call",tool_name="echo"} 2')
        expect(text).toContain('mcp_request_duration_seconds_bucket{method="tools/list",tool_name="",le="30"} 0')
        expect(text).toContain('mcp_request_duration_seconds_bucket{method="tools/list",tool_name="",le="60"} 1')
        expect(text).not.toMatch(/mcp_request_duration_seconds\w*\{tenant_id/)

        expect(text).toContain("# TYPE mcp_requests_in_flight gauge")
        expect(linesOf(text, "mcp_requests_in_flight")).toEqual(["mcp_requests_in_flight 0"])
      })
    )
  )

  it.effect("tenantLabel: all puts tenant_id on the histogram too; none on neither", () =>
    isolated(
      Effect.gen(function* () {
        const request = { method: "tools/call", toolName: "echo", status: "success", durationSeconds: 0.2 }
        yield* RequestMetrics.recordRequest({ ...request, tenantId: "a" }, RequestMetrics.recorder("all"))
        const all = yield* Prometheus.text()
        expect(all).toContain(
          'mcp_request_duration_seconds_count{tenant_id="a",method="tools/call",tool_name="echo"} 1'
        )
      })
    ).pipe(
      Effect.andThen(
        isolated(
          Effect.gen(function* () {
            const request = { method: "tools/call", toolName: "echo", status: "success", durationSeconds: 0.2 }
            const none = RequestMetrics.recorder("none")
            yield* RequestMetrics.recordRequest({ ...request, tenantId: "a" }, none)
            yield* RequestMetrics.recordRequest({ ...request, tenantId: "b" }, none)
            const text = yield* Prometheus.text()
            expect(linesOf(text, "mcp_requests_total{")).toEqual([
              'mcp_requests_total{method="tools/call",tool_name="echo",status="success"} 2'
            ])
            expect(text).not.toContain("tenant_id")
          })
        )
      )
    )
  )

  it.effect("withoutLabels drops a label from every series and sums the series that become one", () =>
    isolated(
      Effect.gen(function* () {
        const units = Metric.counter("test_units_total", { incremental: true })
        yield* Metric.update(Metric.withAttributes(units, { tenant_id: "a", tool_name: "x" }), 2)
        yield* Metric.update(Metric.withAttributes(units, { tenant_id: "b", tool_name: "x" }), 3)
        yield* Metric.update(Metric.withAttributes(units, { tenant_id: "b", tool_name: "y" }), 1)
        const text = yield* Prometheus.text({ withoutLabels: ["tenant_id"] })
        expect(linesOf(text, "test_units_total")).toEqual([
          'test_units_total{tool_name="x"} 5',
          'test_units_total{tool_name="y"} 1'
        ])
        expect(text).toContain("# TYPE test_units_total counter")
        expect(Prometheus.dropLabels('m{a="1",b="q\\"x"} 1\nm{a="2",b="q\\"x"} 2', ["a"])).toBe('m{b="q\\"x"} 3')
      })
    )
  )

  it.effect("the process series are sampled at each rendering", () =>
    isolated(
      Effect.gen(function* () {
        const text = yield* Prometheus.text()
        const value = (name: string) => Number(linesOf(text, `${name} `)[0]?.split(" ")[1])
        expect(value("process_cpu_seconds_total")).toBeGreaterThan(0)
        expect(value("process_resident_memory_bytes")).toBeGreaterThan(10_000_000)
        expect(value("process_start_time_seconds")).toBeGreaterThan(Date.now() / 1000 - 3600)
        expect(value("process_open_fds")).toBeGreaterThan(2)
        expect(value("process_max_fds")).toBeGreaterThan(value("process_open_fds"))
        expect(value("nodejs_heap_size_used_bytes")).toBeLessThan(value("bulwark_heap_limit_bytes"))
        expect(value("process_resident_memory_bytes")).toBeLessThan(value("bulwark_memory_limit_bytes"))
        expect(value("nodejs_eventloop_utilization_ratio")).toBeLessThanOrEqual(1)
        expect(text).toContain("# TYPE process_cpu_seconds_total counter")
        yield* ProcessMetrics.recordBuildInfo("1.2.3")
        const again = yield* Prometheus.text()
        expect(again).toContain(`bulwark_build_info{version="1.2.3",node_version="${process.versions.node}"} 1`)
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
          method: "tools/call",
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
        const text = yield* Prometheus.text()
        const totals = linesOf(text, "mcp_requests_total").filter((line) => line.includes("t-track"))
        expect(totals.sort()).toEqual([
          'mcp_requests_total{tenant_id="t-track",method="tools/call",tool_name="echo",status="cancelled"} 1',
          'mcp_requests_total{tenant_id="t-track",method="tools/call",tool_name="echo",status="success"} 1',
          'mcp_requests_total{tenant_id="t-track",method="tools/call",tool_name="echo",status="tool_error"} 1'
        ])
        expect(linesOf(text, "mcp_request_duration_seconds_count")).toEqual([
          'mcp_request_duration_seconds_count{method="tools/call",tool_name="echo"} 3'
        ])
      })
    )
  )

  it("toolLabel names tools only: resources, prompts and listings are told apart by method", () => {
    expect(RequestMetrics.toolLabel("tools/call", "echo")).toBe("echo")
    expect(RequestMetrics.toolLabel("tools/call")).toBe("")
    expect(RequestMetrics.toolLabel("prompts/get", "greet")).toBe("")
    expect(RequestMetrics.toolLabel("resources/read", "readme")).toBe("")
    expect(RequestMetrics.toolLabel("tools/list")).toBe("")
  })

  it.live("GET /metrics on the router answers the text with the Prometheus content type", () =>
    Effect.gen(function* () {
      // The route reads the process-wide default registry, as the app does.
      const tenantId = `route-${Date.now()}`
      yield* RequestMetrics.recordRequest({
        tenantId,
        method: "tools/call",
        toolName: "echo",
        status: "success",
        durationSeconds: 0.2
      })
      const { handler, dispose } = HttpRouter.toWebHandler(Prometheus.route(), { disableLogger: true })
      yield* Effect.addFinalizer(() => Effect.promise(dispose))

      const response = yield* Effect.promise(() => handler(new Request("http://localhost/metrics")))
      expect(response.status).toBe(200)
      expect(response.headers.get("content-type")?.startsWith("text/plain; version=0.0.4")).toBe(true)
      const body = yield* Effect.promise(() => response.text())
      expect(body).toContain(
        `mcp_requests_total{tenant_id="${tenantId}",method="tools/call",tool_name="echo",status="success"} 1`
      )
      expect(body).toContain("process_resident_memory_bytes ")

      const other = yield* Effect.promise(() => handler(new Request("http://localhost/metrics", { method: "POST" })))
      expect(other.status).not.toBe(200)
    })
  )
})

describe("series", () => {
  it.effect("records each label set in its own series, the same metric for the same labels in any order", () =>
    isolated(
      Effect.gen(function* () {
        const counter = Metric.counter("test_series_total", { incremental: true })
        const of = series(counter, 3)
        const a = of({ tenant_id: "t1", tool_name: "echo" })
        expect(of({ tenant_id: "t1", tool_name: "echo" })).toBe(a)
        yield* Metric.update(a, 1)
        yield* Metric.update(of({ tool_name: "echo", tenant_id: "t1" }), 1)
        yield* Metric.update(of({ tenant_id: "t1", tool_name: "other" }), 1)
        yield* Metric.update(of({ tenant_id: "t2", tool_name: "echo" }), 1)
        yield* Metric.update(of({ tenant_id: "t1" }), 5)
        // Past the limit the cache starts over, and records all the same.
        yield* Metric.update(of({ tenant_id: "t3", tool_name: "echo" }), 1)
        yield* Metric.update(of({ tenant_id: "t1", tool_name: "echo" }), 1)
        const text = yield* Prometheus.text()
        expect(linesOf(text, "test_series_total").sort()).toEqual([
          'test_series_total{tenant_id="t1",tool_name="echo"} 3',
          'test_series_total{tenant_id="t1",tool_name="other"} 1',
          'test_series_total{tenant_id="t1"} 5',
          'test_series_total{tenant_id="t2",tool_name="echo"} 1',
          'test_series_total{tenant_id="t3",tool_name="echo"} 1'
        ])
      })
    )
  )
})
