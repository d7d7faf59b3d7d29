import { createHash, timingSafeEqual } from "node:crypto"
import { Prometheus, type RequestMetrics } from "@bulwark/observability"
import { Effect, Option, Redacted } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"

const digest = (value: string) => createHash("sha256").update(value).digest()

const unauthorized = HttpServerResponse.text("unauthorized\n", {
  status: 401,
  headers: { "www-authenticate": 'Bearer realm="bulwark-metrics"' }
})

/**
 * `GET /metrics` in Prometheus text format. The series carry tenant ids and tool names, so when a scrape token is
 * configured (`http.metricsToken`, `BULWARK_METRICS_TOKEN`) the route answers only a scraper that presents it as a
 * bearer token (compared in constant time); without one it is open, for a server bound to loopback. With
 * `metrics.tenantLabel: none` no series names a tenant: `tenant_id` is dropped at exposition and the series summed.
 */
export const route = (token: Option.Option<Redacted.Redacted<string>>, tenantLabel: RequestMetrics.TenantLabel) => {
  const options: Prometheus.TextOptions = { withoutLabels: tenantLabel === "none" ? ["tenant_id"] : [] }
  if (Option.isNone(token)) return Prometheus.route(options)
  const render = Prometheus.response(options)
  const expected = digest(Redacted.value(token.value))
  return HttpRouter.add(
    "GET",
    "/metrics",
    Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
      const presented = /^Bearer (.+)$/i.exec(request.headers.authorization ?? "")?.[1] ?? ""
      return timingSafeEqual(digest(presented), expected) ? render : Effect.succeed(unauthorized)
    })
  )
}
