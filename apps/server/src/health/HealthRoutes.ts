import { Readiness } from "@bulwark/database"
import { Effect, Layer } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"

/** `GET /healthz`: the process is alive and serving HTTP. Checks nothing else, so it never flaps with the database. */
export const liveness = HttpRouter.add(
  "GET",
  "/healthz",
  Effect.succeed(HttpServerResponse.jsonUnsafe({ status: "ok" }))
)

/** `GET /readyz`: the database answers and every known migration is applied (200), otherwise 503 with the reasons. */
export const readiness = HttpRouter.add(
  "GET",
  "/readyz",
  Effect.map(Readiness.check(), (report) =>
    HttpServerResponse.jsonUnsafe(report, { status: Readiness.httpStatus(report) })
  )
)

/** Both health routes. */
export const routes = Layer.mergeAll(liveness, readiness)
