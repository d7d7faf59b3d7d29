/**
 * The bridge from the official SDK to the pipeline: builds SDK `Server` instances whose handler for every method in
 * the pipeline's method table runs the pipeline. The SDK keeps what it does well (protocol versions, the `_meta`
 * envelope, `requestState` verification, cache hints, `initialize`, `server/discover`, `ping`, `logging/setLevel`);
 * the pipeline serves everything else. A request the client cancels (`notifications/cancelled`, a closed
 * connection) aborts the SDK's signal, and the bridge interrupts the request's fiber with it: the handler stops, its
 * permits and connections are released, and it is logged and audited as cancelled.
 */
import { Admission, Pipeline, type Principal, type ProtocolEra, servingContext } from "@bulwark/core"
import {
  type CacheHint,
  type Implementation,
  type McpRequestContext,
  ProtocolError,
  type RequestMethod,
  type Server,
  type ServerContext,
  type StandardSchemaV1
} from "@modelcontextprotocol/server"
import { Effect, Exit } from "effect"
import { failureAnswer } from "./failureAnswer.ts"
import { makeRequestStateSeal, type RequestStateSeal } from "./RequestStateSeal.ts"
import { edgeContext, toMcpRequest } from "./toMcpRequest.ts"
import { ValidatingServer } from "./ValidatingServer.ts"

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

/** Called after a subscribe or unsubscribe request went through the pipeline, to remember it for the connection. */
export interface SubscriptionHooks {
  readonly subscribe: (uri: string, server: Server) => void
  readonly unsubscribe: (uri: string, server: Server) => void
}

/** Builds SDK `Server` instances whose every pipeline method runs the Bulwark pipeline. */
export type ServerFactory = (
  context: McpRequestContext | { readonly era: ProtocolEra },
  hooks?: SubscriptionHooks,
  principal?: Principal
) => Server

/** Params of a method the specification does not define: any object, validated by the method's own resolve. */
const anyParams: StandardSchemaV1<Record<string, unknown>> = {
  "~standard": { version: 1, vendor: "bulwark", validate: (value) => ({ value: value as Record<string, unknown> }) }
}

type RequestHandler = (
  request: { method: string; params?: Record<string, unknown> },
  ctx: ServerContext
) => Promise<never>

/** Who the server says it is in every answer (`serverInfo`). */
export const serverInfo = (identity: ServerIdentity): Implementation => ({
  name: identity.name,
  version: identity.version,
  ...(identity.title ? { title: identity.title } : {})
})

/**
 * Makes the factory. The pipeline is built once; what each call constructs is a bare SDK `Server` with one handler
 * per method, all of them entering the same pipeline.
 */
export const makeServerFactory = (
  identity: ServerIdentity,
  {
    seal = makeRequestStateSeal(identity.requestStateKey),
    admission = Admission.unlimited
  }: {
    /** The `requestState` seal, when another path must share it. */
    readonly seal?: RequestStateSeal
    /** Load shedding for the requests these servers run (stdio; the HTTP edge admits requests itself). */
    readonly admission?: Admission.AdmissionShape
  } = {}
): Effect.Effect<ServerFactory, never, Pipeline.Pipeline> =>
  Effect.gen(function* () {
    const pipeline = yield* Pipeline.Pipeline
    const context = servingContext(yield* Effect.context<never>())
    const run = Effect.runPromiseExitWith(context)
    const listHint: CacheHint = { ttlMs: identity.listTtlMs ?? 0, cacheScope: "public" }
    const options = {
      // The SDK answers `logging/setLevel`; the methods contribute the rest.
      capabilities: { ...pipeline.capabilities, logging: {} },
      requestState: { verify: seal.verify },
      ...(identity.instructions === undefined ? {} : { instructions: identity.instructions }),
      cacheHints: {
        "tools/list": listHint,
        "prompts/list": listHint,
        "resources/templates/list": listHint,
        "server/discover": listHint
      }
    }
    const info = serverInfo(identity)

    return (requestContext, hooks, principal) => {
      const era = requestContext.era
      const server = new ValidatingServer(info, options)
      for (const method of pipeline.methods) {
        const handler: RequestHandler = async (request, ctx) => {
          const fromEdge = edgeContext(ctx)
          if (fromEdge !== undefined) fromEdge.edge.piped = true
          // The fast path hands over a call it already ran, for the SDK to check and encode the outcome.
          const exit =
            fromEdge?.settled ??
            (await run(
              admission.admit(
                pipeline.handle(
                  toMcpRequest(request, ctx, era, {
                    sessionCapabilities: server.getClientCapabilities(),
                    mintRequestState: (payload, requestCtx) => seal.mint(payload, requestCtx.mcpReq.method),
                    principal
                  })
                )
              ),
              { signal: ctx.mcpReq.signal }
            ))
          if (Exit.isSuccess(exit)) {
            if (hooks !== undefined && typeof request.params?.uri === "string") {
              if (method.name === "resources/subscribe") hooks.subscribe(request.params.uri, server)
              if (method.name === "resources/unsubscribe") hooks.unsubscribe(request.params.uri, server)
            }
            return exit.value as never
          }
          const answer = failureAnswer(exit.cause)
          // Interrupted: the client cancelled or went away (the SDK sends nothing for an aborted request), or the
          // server is stopping.
          if (answer === undefined) throw new ProtocolError(-32603, "Request was cancelled")
          const edge = fromEdge?.edge
          if (edge !== undefined && answer.retryAfter !== undefined)
            edge.headers["retry-after"] = String(answer.retryAfter)
          throw new ProtocolError(answer.code, answer.message, answer.data)
        }
        if (method.custom === true) {
          server.setRequestHandler(method.name, { params: anyParams }, (params, ctx) =>
            handler({ method: method.name, params }, ctx)
          )
        } else {
          ;(server.setRequestHandler as (name: RequestMethod, handler: RequestHandler) => void).call(
            server,
            method.name as RequestMethod,
            handler
          )
        }
      }
      return server
    }
  })
