/**
 * Mounting the MCP endpoint on an Effect HTTP router. The endpoint runs in the request's own fiber: when the client
 * goes away the fiber is interrupted and the request it carried is cancelled. The endpoint opens the request's span
 * itself (joining the caller's trace from `_meta` or headers); give `routerSpanOff(path)` to `HttpRouter.serve` so
 * that the router does not open a second one for the same request.
 */
import { Effect, Layer, Option } from "effect"
import { HttpMiddleware, HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { Endpoint } from "./Endpoint.ts"

/**
 * Mounts the MCP endpoint at `path` (default `/mcp`) for every method, so that the SDK, not the router, answers
 * GET/DELETE according to the protocol. The router's own response log is off for the path: the endpoint and the
 * pipeline leave one access-log line per exchange themselves.
 */
export const route = (path: `/${string}` = "/mcp") =>
  Layer.unwrap(
    Effect.gen(function* () {
      const endpoint = yield* Endpoint
      return HttpRouter.add(
        "*",
        path,
        Effect.gen(function* () {
          const request = yield* HttpServerRequest.HttpServerRequest
          const abort = new AbortController()
          const web = yield* HttpServerRequest.toWeb(request, { signal: abort.signal })
          const response = yield* endpoint
            .handle(web, Option.getOrUndefined(request.remoteAddress))
            .pipe(Effect.onInterrupt(() => Effect.sync(() => abort.abort(new Error("the client went away")))))
          return HttpServerResponse.fromWeb(response)
        }).pipe(Effect.orDie, HttpMiddleware.withLoggerDisabled)
      )
    })
  )

/**
 * Turns the router's own server span off for the MCP path (the endpoint opens the request's span): provide it to
 * `HttpRouter.serve(...)`, whose request fibers read it.
 */
export const routerSpanOff = (path: `/${string}` = "/mcp"): Layer.Layer<never> =>
  HttpMiddleware.layerTracerDisabledForUrls([path])
