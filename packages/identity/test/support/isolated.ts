/** Building a layer as another process would: with an empty memo map, so no service is shared with the test's own. */

import type { Context } from "effect"
import { Effect, Layer, type Scope } from "effect"

/** Builds `layer` with a fresh memo map into the current scope. */
export const buildIsolated = <ROut, E, RIn>(
  layer: Layer.Layer<ROut, E, RIn>
): Effect.Effect<Context.Context<ROut>, E, RIn | Scope.Scope> =>
  Effect.gen(function* () {
    const memoMap = yield* Layer.makeMemoMap
    const scope = yield* Effect.scope
    return yield* Layer.buildWithMemoMap(layer, memoMap, scope)
  })
