import { Effect, Layer } from "effect"
import { HttpEffect, HttpRouter } from "effect/http"
import { Endpoint } from "./Endpoint.ts"

/**
 * Mounts the MCP endpoint on the HTTP router at `path` (default `/mcp`) for every method, so that the SDK, not the
 * router, answers GET/DELETE according to the protocol.
 */
export const route = (path: `/${string}` = "/mcp") =>
  Layer.unwrap(
    Effect.gen(function* () {
      const endpoint = yield* Endpoint
      return HttpRouter.add("*", path, HttpEffect.fromWebHandler(endpoint.fetch))
    })
  )
