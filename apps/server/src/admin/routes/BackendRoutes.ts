/**
 * `/admin/backends`: every backend the plugins call, with its circuit (closed, half-open, open), the calls it runs
 * now and its health probe's last verdict, as the resilience layer has them in this process.
 *
 * @since 0.1.0
 */
import { Backends } from "@bulwark/resilience"
import { Effect, Layer } from "effect"
import { HttpRouter } from "effect/http"
import { type AdminEnv, handler, reply } from "../AdminHandler.ts"

/** The backends route. */
export const layer = (env: AdminEnv) =>
  Layer.unwrap(
    Effect.map(Backends, (backends) =>
      HttpRouter.add(
        "GET",
        "/admin/backends",
        handler(env, undefined, () => Effect.map(backends.statuses, (statuses) => reply({ backends: statuses })))
      )
    )
  )
