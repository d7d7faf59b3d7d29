/**
 * The context requests are served in. The stages hand what they learn to the rest of the chain as services in the
 * request's context (its span, log annotations, tenant, access, deadline, a plugin's services): about a dozen
 * additions per request. Effect keeps up to `maxDepth` additions as overlays on the context they start from and,
 * past that, copies every service of the application into a new map; with Effect's default of 8 that copy happened
 * on every request. A transport makes the context it serves requests in once, with {@link servingContext}.
 */
import { Context } from "effect"

/** Additions kept as overlays (a lookup walks them before the application's map). */
export const maxOverlays = 32

/** `context` as the starting point of requests: the same services, with room for a request's additions. */
export const servingContext = <R>(context: Context.Context<R>): Context.Context<R> =>
  Context.makeUnsafe(context.mapUnsafe, { maxDepth: maxOverlays })
