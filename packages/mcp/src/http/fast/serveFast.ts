/**
 * Serving one fast route: the request's span (joining the caller's trace), authentication through core's port (what
 * it recalls at once, else its effect), the pipeline, and the answer, all in the calling fiber, with no web
 * `Request`/`Response` and no SDK server. The `McpRequest` is the one the SDK bridge would have built for the same
 * request (params without `_meta`, the envelope's client capabilities, the HTTP trace headers, the shared
 * `requestState` seal); a fast route carries no progress token and no log level, so nothing is sent to the client
 * before the answer.
 *
 * An outcome only the SDK may encode (see `Answer.ts`) goes to the SDK path settled: the SDK checks and encodes it,
 * the call is not run again.
 */
import {
  type Authentication,
  insideSpan,
  type McpRequest,
  type McpResult,
  type PipelineError,
  type PipelineShape,
  type Principal,
  silentChannel
} from "@bulwark/core"
import type { Implementation } from "@modelcontextprotocol/server"
import { Effect, Exit, Option, type Scope, type Tracer } from "effect"
import { failureAnswer } from "../../bridge/failureAnswer.ts"
import type { RequestStateSeal } from "../../bridge/RequestStateSeal.ts"
import type { Described } from "../describeRequest.ts"
import type { EdgeJournal, EndedExchange } from "../EdgeJournal.ts"
import { type EdgeRefused, isEdgeRefused } from "../EdgeRefused.ts"
import { callerTrace, endWhenSent, requestHeaders } from "../RequestSpan.ts"
import type { Answer } from "../responses.ts"
import { errorAnswer, resultAnswer } from "./Answer.ts"
import type { FastRoute } from "./FastRoute.ts"

/** What the fast path serves with: the endpoint's parts. */
export interface FastPath {
  readonly pipeline: PipelineShape
  readonly server: Implementation
  readonly seal: RequestStateSeal
  /** The endpoint's authentication (its refusals are answered and accounted for as the endpoint does). */
  readonly authenticate: (credentials: Authentication.Credentials) => Effect.Effect<Principal | EdgeRefused | undefined>
  /** What authentication can decide at once, asked first (see `Authentication.recall`). */
  readonly recall: NonNullable<Authentication.AuthenticationShape["recall"]>
  /** Where a refused exchange is logged and audited (the pipeline accounts for the others). */
  readonly journal: EdgeJournal
  /** The SDK path, for a call whose outcome is settled. */
  readonly settle: (
    request: Request,
    body: unknown,
    principal: Principal | undefined,
    settled: Exit.Exit<McpResult, PipelineError>
  ) => Effect.Effect<Response, never, Scope.Scope>
}

/** One exchange on the fast path: the route, what authentication needs, and the request for the SDK path. */
export interface FastExchange {
  readonly route: FastRoute
  readonly credentials: Authentication.Credentials
  /** The parsed body. */
  readonly body: unknown
  /** The request as a web `Request`, made only when the SDK path is needed. */
  readonly toWebRequest: () => Request
}

const EMPTY: Readonly<Record<string, never>> = {}

const cancelled = { code: -32603, message: "Request was cancelled" } as const

/**
 * Serves a fast route to its answer, or to a web response (a refusal at the edge, or the SDK's encoding). Written
 * with combinators rather than generators: this runs for every call.
 */
export const serveFast = (fast: FastPath, exchange: FastExchange): Effect.Effect<Answer | Response> => {
  const { route, credentials } = exchange
  const startedAt = performance.now()
  const described: Described = {
    single: true,
    method: "tools/call",
    target: route.name,
    ...(route.traceparent === undefined ? {} : { traceparent: route.traceparent }),
    ...(route.tracestate === undefined ? {} : { tracestate: route.tracestate })
  }
  const header = (name: string) => credentials.headers[name] ?? null
  const parent = callerTrace(header, described)
  const spanOptions = {
    kind: "server" as const,
    ...(Option.isSome(parent) ? { parent: parent.value } : {}),
    attributes: { "http.request.method": "POST" }
  }
  return Effect.clockWith((clock) =>
    Effect.flatMap(Effect.makeSpan("mcp tools/call", spanOptions), (span) => {
      // A credential authentication verified lately is recalled at once; any other is decided by its effect. A port
      // whose recall throws (a defect) fails the request inside its span, as its effect would.
      let served: Effect.Effect<Answer | Response>
      try {
        const recalled = fast.recall(credentials, clock.currentTimeMillisUnsafe(), span)
        served =
          recalled !== undefined
            ? call(fast, exchange, recalled, span)
            : Effect.flatMap(fast.authenticate(credentials), (principal) =>
                isEdgeRefused(principal)
                  ? refused(
                      fast,
                      principal,
                      {
                        method: "POST",
                        described,
                        status: principal.response.status,
                        startedAt,
                        reason: principal.reason,
                        refusedBy: principal.refusedBy ?? "authentication",
                        ...(principal.claimed === undefined ? {} : { claimed: principal.claimed }),
                        traceId: span.traceId
                      },
                      credentials.clientAddress
                    )
                  : call(fast, exchange, principal, span)
              )
      } catch (defect) {
        served = Effect.die(defect)
      }
      return Effect.matchCauseEffect(insideSpan(served, span), {
        onFailure: (cause) => {
          span.end(clock.currentTimeNanosUnsafe(), Exit.failCause(cause))
          return Effect.failCause(cause)
        },
        onSuccess: (answer): Effect.Effect<Answer | Response> => {
          if (answer instanceof Response) return Effect.succeed(endWhenSent(span, clock, answer))
          span.end(clock.currentTimeNanosUnsafe(), Exit.succeed(answer.status))
          return Effect.succeed(answer)
        }
      })
    })
  )
}

/** Accounts for a refusal by authentication (a throttled address's with its like) and answers it. */
const refused = (
  fast: FastPath,
  refusal: EdgeRefused,
  ended: EndedExchange,
  clientAddress: string | undefined
): Effect.Effect<Response> => {
  if (refusal.throttled !== true) return Effect.as(fast.journal.end(ended), refusal.response)
  return Effect.sync(() => {
    fast.journal.endRepeated(`throttled ${clientAddress}`, clientAddress, { ...ended, refusedBy: "throttle" })
    return refusal.response
  })
}

/** Runs the call through the pipeline and answers it (or hands its outcome to the SDK, settled). */
const call = (
  fast: FastPath,
  { route, credentials, body, toWebRequest }: FastExchange,
  principal: Principal | undefined,
  span: Tracer.Span
): Effect.Effect<Answer | Response> => {
  const request: McpRequest = {
    jsonRpcId: route.id,
    method: "tools/call",
    params: route.params,
    meta: route.meta,
    era: route.era,
    headers: requestHeaders((name) => credentials.headers[name] ?? null),
    inputResponses: EMPTY,
    ...(route.clientCapabilities === undefined ? {} : { clientCapabilities: route.clientCapabilities }),
    mintRequestState: (payload) => fast.seal.mint(payload, "tools/call"),
    ...(principal === undefined ? {} : { principal }),
    span,
    client: silentChannel
  }
  return Effect.matchCauseEffect(fast.pipeline.handle(request), {
    onFailure: (cause) => Effect.succeed(errorAnswer(route, failureAnswer(cause) ?? cancelled)),
    onSuccess: (result): Effect.Effect<Answer | Response> => {
      const answer = resultAnswer(route, result, fast.server)
      return answer !== undefined
        ? Effect.succeed(answer)
        : Effect.scoped(fast.settle(toWebRequest(), body, principal, Exit.succeed(result)))
    }
  })
}
