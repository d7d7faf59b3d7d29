/**
 * The request metrics of Bulwark, as plain Effect `Metric`s: the article's `mcp_requests_total` and
 * `mcp_request_duration_seconds`, and `mcp_requests_in_flight`.
 *
 * The request pipeline records them; `Prometheus` renders whatever is in the metric registry. Every label comes from
 * a small, known set: `tenant_id` (configured tenants), `method` (the MCP method), `tool_name` (the tool of a
 * `tools/call` the catalog has, else empty) and `status` (how the request ended). How far `tenant_id` reaches is
 * the operator's choice ({@link TenantLabel}): with many tenants, per-tenant histograms are what explodes first.
 *
 * @since 0.1.0
 */
import { type Context, Effect, type Exit, Metric } from "effect"
import { series } from "./Series.ts"

/**
 * Upper bounds, in seconds, of the `mcp_request_duration_seconds` buckets (`+Inf` is implicit): from 5 ms to 60 s,
 * past the 30 s default deadline, so that a p99 near a timeout is still a bucket and not `+Inf`.
 */
export const durationBuckets: ReadonlyArray<number> = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

/**
 * Which request series carry `tenant_id`:
 *
 * - `all`: the counter and the histogram (the article's label sets; buckets × tools × tenants series);
 * - `counters` (the default): `mcp_requests_total` per tenant, `mcp_request_duration_seconds` per method and tool;
 * - `none`: neither (the exposition drops `tenant_id` from every other series too, see `Prometheus.text`).
 */
export type TenantLabel = "all" | "counters" | "none"

/** `mcp_requests_total{tenant_id,method,tool_name,status}`: finished MCP requests. */
export const requestsTotal: Metric.Counter<number> = Metric.counter("mcp_requests_total", {
  description: "Finished MCP requests by tenant, method, tool and how they ended",
  incremental: true
})

/** `mcp_request_duration_seconds{method,tool_name}` (and `tenant_id` under `all`): request duration. */
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
  /** The MCP method (`tools/call`, `tools/list`, `resources/read`, ...). */
  readonly method: string
  /** The `tool_name` label: see {@link toolLabel}. */
  readonly toolName: string
  /** How the request ended: core's `Outcome` (`success`, `tool_error`, `rejected`, `internal_error`, ...). */
  readonly status: string
  /** Wall-clock duration of the request in seconds. */
  readonly durationSeconds: number
}

/** Records finished requests in the registry of a context. */
export type Recorder = (request: FinishedRequest, context: Context.Context<never>) => void

/** The two series one kind of finished request updates. */
interface Pair {
  readonly counted: Metric.Metric<number, Metric.CounterState<number>>
  readonly timed: Metric.Metric<number, Metric.HistogramState>
}

/**
 * A recorder whose series carry `tenant_id` as `tenantLabel` says. Both series of a kind of request (its tenant,
 * method, tool and status) are found in one walk of nested maps by those four values, and made on its first request:
 * no label set is built per request. Past 10,000 kinds the maps start over (labels come from small sets anyway).
 */
export const recorder = (tenantLabel: TenantLabel = "counters"): Recorder => {
  const requestsTotalOf = series(requestsTotal)
  const requestDurationOf = series(requestDuration)
  const pairOf = (request: FinishedRequest): Pair => ({
    counted: requestsTotalOf(
      tenantLabel === "none"
        ? { method: request.method, tool_name: request.toolName, status: request.status }
        : { tenant_id: request.tenantId, method: request.method, tool_name: request.toolName, status: request.status }
    ),
    timed: requestDurationOf(
      tenantLabel === "all"
        ? { tenant_id: request.tenantId, method: request.method, tool_name: request.toolName }
        : { method: request.method, tool_name: request.toolName }
    )
  })
  type Level<A> = Map<string, A>
  let byTenant: Level<Level<Level<Level<Pair>>>> = new Map()
  let kinds = 0
  const within = <A>(level: Level<Level<A>>, key: string): Level<A> => {
    let next = level.get(key)
    if (next === undefined) {
      next = new Map()
      level.set(key, next)
    }
    return next
  }
  return (request, context) => {
    const byStatus = within(within(within(byTenant, request.tenantId), request.method), request.toolName)
    let pair = byStatus.get(request.status)
    if (pair === undefined) {
      pair = pairOf(request)
      kinds += 1
      // Start over: the maps walked above belong to the old tree, which is dropped.
      if (kinds > 10_000) {
        byTenant = new Map()
        kinds = 0
      } else byStatus.set(request.status, pair)
    }
    pair.counted.updateUnsafe(1, context)
    pair.timed.updateUnsafe(request.durationSeconds, context)
  }
}

const recordByDefault = recorder()

/** Records one finished request: increments `mcp_requests_total` and observes `mcp_request_duration_seconds`. */
export const recordRequest = (request: FinishedRequest, record: Recorder = recordByDefault): Effect.Effect<void> =>
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

/** Ends a request {@link start} counted: out of `mcp_requests_in_flight`, recorded as finished. */
export type Finish = (request: FinishedRequest, context: Context.Context<never>) => void

/**
 * Counts one request in `mcp_requests_in_flight` from now (in the registry of `context`) and returns what ends it,
 * to be called once however it ends: for an exit hook that is not an effect (core's pipeline observers). {@link track}
 * is the same around an effect.
 */
export const start = (context: Context.Context<never>, record: Recorder = recordByDefault): Finish => {
  requestsInFlight.modifyUnsafe(1, context)
  return (request, ending) => {
    requestsInFlight.modifyUnsafe(-1, ending)
    record(request, ending)
  }
}

/**
 * Counts `self` in `mcp_requests_in_flight` while it runs and records it in `mcp_requests_total` and
 * `mcp_request_duration_seconds` when it ends, however it ends: {@link start} around an effect.
 */
export const track = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  finished: (exit: Exit.Exit<A, E>) => FinishedRequest,
  record: Recorder = recordByDefault
): Effect.Effect<A, E, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.withFiber((fiber) => {
      const finish = start(fiber.context, record)
      return restore(self).pipe(
        Effect.onExit((exit) =>
          Effect.withFiber((ending) => {
            finish(finished(exit), ending.context)
            return Effect.void
          })
        )
      )
    })
  )

/**
 * The `tool_name` label of a request: the tool's name for `tools/call` (when known), else empty: resources,
 * prompts and listings are told apart by `method`, so that `tool_name` only ever names tools.
 */
export const toolLabel = (method: string, name?: string | undefined): string =>
  method === "tools/call" && name !== undefined ? name : ""
