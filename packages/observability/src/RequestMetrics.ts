/**
 * The request metrics of Bulwark, as plain Effect `Metric`s.
 *
 * The request pipeline records them; `Prometheus` renders whatever is in the metric registry.
 * Label values become Prometheus series: keep `tenant_id`, `tool_name` and `status` to small, known sets.
 *
 * @since 0.1.0
 */
import { type Context, Effect, type Exit, Metric } from "effect"
import { series } from "./Series.ts"

/** Upper bounds, in seconds, of the `mcp_request_duration_seconds` buckets (`+Inf` is implicit). */
export const durationBuckets: ReadonlyArray<number> = [0.01, 0.05, 0.1, 0.5, 1, 5]

/** `mcp_requests_total`: finished MCP requests, recorded with labels `tenant_id`, `tool_name`, `status`. */
export const requestsTotal: Metric.Counter<number> = Metric.counter("mcp_requests_total", {
  description: "Finished MCP requests",
  incremental: true
})

/** `mcp_request_duration_seconds`: request duration in seconds, recorded with labels `tenant_id`, `tool_name`. */
export const requestDuration: Metric.Histogram<number> = Metric.histogram("mcp_request_duration_seconds", {
  description: "MCP request duration in seconds",
  boundaries: Metric.boundariesFromIterable(durationBuckets)
})

/** `mcp_requests_in_flight`: MCP requests currently being handled (no labels). */
export const requestsInFlight: Metric.Gauge<number> = Metric.gauge("mcp_requests_in_flight", {
  description: "MCP requests currently being handled"
})

/** One finished request, as the pipeline saw it. */
export interface FinishedRequest {
  /** The tenant the request was made for. */
  readonly tenantId: string
  /** The `tool_name` label: see {@link toolName}. */
  readonly toolName: string
  /** How the request ended: core's `Outcome` (`success`, `tool_error`, `rejected`, `internal_error`, ...). */
  readonly status: string
  /** Wall-clock duration of the request in seconds. */
  readonly durationSeconds: number
}

const requestsTotalOf = series(requestsTotal)
const requestDurationOf = series(requestDuration)

/** Records a finished request in the registry of `context`. */
const record = (request: FinishedRequest, context: Context.Context<never>): void => {
  const labels = { tenant_id: request.tenantId, tool_name: request.toolName }
  requestsTotalOf({ ...labels, status: request.status }).updateUnsafe(1, context)
  requestDurationOf(labels).updateUnsafe(request.durationSeconds, context)
}

/** Records one finished request: increments `mcp_requests_total` and observes `mcp_request_duration_seconds`. */
export const recordRequest = (request: FinishedRequest): Effect.Effect<void> =>
  Effect.withFiber((fiber) => {
    record(request, fiber.context)
    return Effect.void
  })

/**
 * Counts `self` in `mcp_requests_in_flight` while it runs. The gauge goes back down however `self` ends:
 * success, failure, defect or interruption.
 */
export const trackInFlight = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.acquireUseRelease(
    Metric.modify(requestsInFlight, 1),
    () => self,
    () => Metric.modify(requestsInFlight, -1)
  )

/**
 * Counts `self` in `mcp_requests_in_flight` while it runs and records it in `mcp_requests_total` and
 * `mcp_request_duration_seconds` when it ends, however it ends: {@link trackInFlight} and {@link recordRequest} in
 * one exit hook, for the hot path.
 */
export const track = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  finished: (exit: Exit.Exit<A, E>) => FinishedRequest
): Effect.Effect<A, E, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.withFiber((fiber) => {
      requestsInFlight.modifyUnsafe(1, fiber.context)
      return restore(self).pipe(
        Effect.onExit((exit) =>
          Effect.withFiber((ending) => {
            requestsInFlight.modifyUnsafe(-1, ending.context)
            record(finished(exit), ending.context)
            return Effect.void
          })
        )
      )
    })
  )

const namedMethods: ReadonlySet<string> = new Set(["tools/call", "resources/read", "prompts/get"])

/**
 * The `tool_name` label of a request: the tool, resource or prompt name for `tools/call`, `resources/read` and
 * `prompts/get` (when known), else the method itself (e.g. `tools/list`).
 */
export const toolName = (method: string, name?: string | undefined): string =>
  namedMethods.has(method) && name !== undefined && name !== "" ? name : method
