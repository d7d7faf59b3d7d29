import type { Principal } from "@bulwark/core"
import { Context, Data, type Effect } from "effect"

/** A request refused at the HTTP edge, with the answer to send (401 with a challenge, 403, 429 ...). */
export class EdgeRefusal extends Data.TaggedError("EdgeRefusal")<{
  readonly response: Response
  /** Why, for the server's own log and audit; never sent to the client. */
  readonly reason: string
}> {}

/**
 * Authenticates each HTTP request before any MCP work is done. `body` is the raw request text (empty for GET and
 * DELETE), for schemes that sign it. When this service is absent the endpoint serves without authentication.
 */
export class EdgeAuthentication extends Context.Service<
  EdgeAuthentication,
  {
    readonly authenticate: (request: Request, body: string) => Effect.Effect<Principal, EdgeRefusal>
  }
>()("@bulwark/mcp/EdgeAuthentication") {}
