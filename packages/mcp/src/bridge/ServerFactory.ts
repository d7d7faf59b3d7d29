import { randomBytes } from "node:crypto"
import { type McpError, Pipeline, type Principal, type ProtocolEra } from "@bulwark/core"
import {
  type CacheHint,
  createRequestStateCodec,
  type McpRequestContext,
  ProtocolError,
  type RequestMethod,
  Server,
  type ServerContext
} from "@modelcontextprotocol/server"
import { Cause, Effect, Exit } from "effect"
import { toMcpRequest } from "./toMcpRequest.ts"

/** Who the server says it is, and what it tells clients about itself. */
export interface ServerIdentity {
  readonly name: string
  readonly version: string
  readonly title?: string
  readonly instructions?: string
  /** How long clients may cache list results (2026-07-28 `ttlMs`); lists are the same for every caller today. */
  readonly listTtlMs?: number
  /**
   * The HMAC key (at least 32 bytes) that seals the multi-round-trip `requestState`, so a tampered or expired state
   * is refused (-32602) before any handler runs. Every process serving the same clients must share it; by default
   * each process draws a random key, which suits a single process.
   */
  readonly requestStateKey?: string | Uint8Array
}

/** The methods the pipeline serves; everything else (initialize, discover, ping, logging level) the SDK answers. */
export const PIPELINE_METHODS = [
  "tools/list",
  "tools/call",
  "resources/list",
  "resources/templates/list",
  "resources/read",
  "resources/subscribe",
  "resources/unsubscribe",
  "prompts/list",
  "prompts/get",
  "completion/complete"
] as const satisfies ReadonlyArray<RequestMethod>

/** Called after a subscribe or unsubscribe request went through the pipeline, to remember it for the connection. */
export interface SubscriptionHooks {
  readonly subscribe: (uri: string, server: Server) => void
  readonly unsubscribe: (uri: string, server: Server) => void
}

/** Builds SDK `Server` instances whose every request handler runs the Bulwark pipeline. */
export type ServerFactory = (
  context: McpRequestContext | { readonly era: ProtocolEra },
  hooks?: SubscriptionHooks,
  principal?: Principal
) => Server

const toProtocolError = (error: McpError) => new ProtocolError(error.code, error.message, error.data)

/**
 * Makes the factory. The catalog and pipeline are built once; what each call constructs is a bare SDK `Server` with
 * one handler per method, all of them entering the same pipeline.
 */
export const makeServerFactory = (identity: ServerIdentity): Effect.Effect<ServerFactory, never, Pipeline.Pipeline> =>
  Effect.gen(function* () {
    const pipeline = yield* Pipeline.Pipeline
    const context = yield* Effect.context<never>()
    const run = Effect.runPromiseExitWith(context)
    const listHint: CacheHint = { ttlMs: identity.listTtlMs ?? 0, cacheScope: "public" }
    // Bound to the method, so that a state minted for one kind of request is refused on another.
    const stateCodec = createRequestStateCodec<unknown>({
      key: identity.requestStateKey ?? randomBytes(32),
      bind: (ctx) => ctx.mcpReq.method
    })
    const options = {
      capabilities: pipeline.catalog.capabilities,
      requestState: { verify: (state: string, ctx: ServerContext) => stateCodec.verify(state, ctx) },
      ...(identity.instructions === undefined ? {} : { instructions: identity.instructions }),
      cacheHints: {
        "tools/list": listHint,
        "prompts/list": listHint,
        "resources/templates/list": listHint,
        "server/discover": listHint
      }
    }
    const info = {
      name: identity.name,
      version: identity.version,
      ...(identity.title ? { title: identity.title } : {})
    }

    return (requestContext, hooks, principal) => {
      const era = requestContext.era
      const server = new Server(info, options)
      for (const method of PIPELINE_METHODS) {
        const handler = async (
          request: { method: string; params?: Record<string, unknown> },
          ctx: ServerContext
        ): Promise<never> => {
          const exit = await run(
            pipeline.handle(
              toMcpRequest(request, ctx, era, {
                sessionCapabilities: server.getClientCapabilities(),
                mintRequestState: (payload, requestCtx) => stateCodec.mint(payload, requestCtx),
                principal
              })
            )
          )
          if (Exit.isSuccess(exit)) {
            if (hooks !== undefined && typeof request.params?.uri === "string") {
              if (method === "resources/subscribe") hooks.subscribe(request.params.uri, server)
              if (method === "resources/unsubscribe") hooks.unsubscribe(request.params.uri, server)
            }
            return exit.value as never
          }
          const failure = Cause.findErrorOption(exit.cause)
          if (failure._tag === "Some") throw toProtocolError(failure.value)
          // Interrupted (client went away or the server is stopping): nothing meaningful to answer.
          throw new ProtocolError(-32603, "Request was cancelled")
        }
        ;(server.setRequestHandler as (method: RequestMethod, handler: unknown) => void).call(server, method, handler)
      }
      return server
    }
  })
