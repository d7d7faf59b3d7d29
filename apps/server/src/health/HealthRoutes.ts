import { Readiness } from "@bulwark/database"
import { Backends } from "@bulwark/resilience"
import { Effect, Layer } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"

/** `GET /healthz`: the process is alive and serving HTTP. Checks nothing else, so it never flaps with the database. */
export const liveness = HttpRouter.add(
  "GET",
  "/healthz",
  Effect.succeed(HttpServerResponse.jsonUnsafe({ status: "ok" }))
)

/**
 * `GET /readyz`: the database answers and every known migration is applied (200), otherwise 503 with the reasons.
 * The plugins' backends are reported too (circuit, calls in flight, the health probe's verdict) but do not decide
 * readiness: every instance shares them, and taking all instances out of service because a backend fails would turn
 * a degraded service into none (tools answer that backend's failure themselves).
 */
export const readiness = HttpRouter.add(
  "GET",
  "/readyz",
  Effect.gen(function* () {
    const backends = yield* (yield* Backends).statuses
    const report = yield* Readiness.check()
    return HttpServerResponse.jsonUnsafe({ ...report, backends }, { status: Readiness.httpStatus(report) })
  })
)

/** Both health routes. */
export const routes = Layer.mergeAll(liveness, readiness)
