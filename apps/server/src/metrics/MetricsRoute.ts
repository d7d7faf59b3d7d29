import { createHash, timingSafeEqual } from "node:crypto"
import { Prometheus } from "@bulwark/observability"
import { Effect, Option, Redacted } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"

const digest = (value: string) => createHash("sha256").update(value).digest()

/**
 * `GET /metrics` in Prometheus text format. The series carry tenant ids and tool names, so when a scrape token is
 * configured (`http.metricsToken`, `BULWARK_METRICS_TOKEN`) the route answers only a scraper that presents it as a
 * bearer token (compared in constant time); without one it is open, for a server bound to loopback.
 */
export const route = (token: Option.Option<Redacted.Redacted<string>>) =>
  Option.isNone(token)
    ? Prometheus.route
    : HttpRouter.add(
        "GET",
        "/metrics",
        Effect.gen(function* () {
          const request = yield* HttpServerRequest.HttpServerRequest
          const presented = /^Bearer (.+)$/i.exec(request.headers.authorization ?? "")?.[1] ?? ""
          if (!timingSafeEqual(digest(presented), digest(Redacted.value(token.value)))) {
            return HttpServerResponse.text("unauthorized\n", {
              status: 401,
              headers: { "www-authenticate": 'Bearer realm="bulwark-metrics"' }
            })
          }
          return HttpServerResponse.text(yield* Prometheus.text, {
            contentType: "text/plain; version=0.0.4; charset=utf-8"
          })
        })
      )
