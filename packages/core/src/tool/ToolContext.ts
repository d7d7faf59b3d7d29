/**
 * What a handler can do besides computing its result: read the request in flight (id, tenant, principal), report
 * progress, log to the client, ask the client for input (elicitation, sampling, roots: written once, served to both
 * protocol eras), and publish changes. Answers of earlier rounds travel in the sealed `requestState`.
 */
import type {
  ClientCapabilities,
  CreateMessageRequestParams,
  CreateMessageResult,
  ListRootsResult,
  LoggingLevel
} from "@modelcontextprotocol/server"
import { inputRequired } from "@modelcontextprotocol/server"
import { Effect, Result, type Schema } from "effect"
import { InputRequired } from "../errors/InputRequired.ts"
import type { NotifierShape } from "../notify/Notifier.ts"
import type { Call } from "../pipeline/Call.ts"
import { nameOf } from "../pipeline/Target.ts"
import type { JobRun, McpRequest } from "../request/McpRequest.ts"
import { makeDecoder } from "../schema/Decoder.ts"
import { toElicitationSchema } from "../schema/ElicitationSchema.ts"

/** The user's answer to an elicitation. */
export type ElicitOutcome<A> =
  | { readonly action: "accept"; readonly content: A }
  | { readonly action: "decline" }
  | { readonly action: "cancel" }

/** The successes of a tuple of effects, in order. */
export type Answers<T extends ReadonlyArray<Effect.Effect<unknown, InputRequired>>> = {
  -readonly [K in keyof T]: Effect.Success<T[K]>
}

/** What a handler can do besides computing its result: talk back to the client and publish changes. */
export interface ToolContext {
  /** The request in flight: request id, tenant, trace. */
  readonly call: Call
  /**
   * What the client declared it supports, when known (every 2026-07-28 request; 2025 sessions). Ask only for input
   * the client can give: a request for an undeclared capability is refused with -32021.
   */
  readonly clientCapabilities: ClientCapabilities | undefined
  /** Reports progress when the client asked for it (a progress token); otherwise does nothing. */
  readonly progress: (progress: number, total?: number, message?: string) => Effect.Effect<void>
  /** Sends a log message to the client. */
  readonly log: (level: LoggingLevel, data: unknown) => Effect.Effect<void>
  /**
   * Asks the user for structured input. `key` names the question across retries: the first run fails with
   * `InputRequired`, the client asks the user and retries, and the next run gets the answer. Handlers must therefore
   * ask before they change anything. Answers of earlier rounds stay available in later ones (they travel in the
   * sealed `requestState`), so a handler may ask several questions one after the other.
   *
   * The form is derived from `schema`, a struct of primitives: use `Schema.Finite`/`Schema.Int` for numbers and
   * `Schema.Literals` (or a union of titled `Schema.Literal`s) for choices.
   */
  readonly elicit: <S extends Schema.Top>(
    key: string,
    request: { readonly message: string; readonly schema: S }
  ) => Effect.Effect<ElicitOutcome<S["Type"]>, InputRequired>
  /** Asks the client's model for a completion, with the same retry contract as `elicit`. */
  readonly sample: (
    key: string,
    request: CreateMessageRequestParams
  ) => Effect.Effect<CreateMessageResult, InputRequired>
  /** Asks the client for its roots (`roots/list`), with the same retry contract as `elicit`. */
  readonly listRoots: (key: string) => Effect.Effect<ListRootsResult, InputRequired>
  /**
   * Asks several questions in one round: runs every question, and if any still needs an answer fails with one
   * `InputRequired` carrying all of them, so the client answers them together.
   */
  readonly all: <const T extends ReadonlyArray<Effect.Effect<unknown, InputRequired>>>(
    questions: T
  ) => Effect.Effect<Answers<T>, InputRequired>
  /** Publishes list changes and resource updates. */
  readonly notify: NotifierShape
  /**
   * When the call runs as a durable job (a task): its id, the same for every run, and the attempt. A handler that
   * writes can key its writes on the id, so that a run repeated after a crash changes nothing twice.
   */
  readonly job: JobRun | undefined
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** What Bulwark seals into `requestState`: the answers of earlier rounds, bound to the request they belong to. */
export interface CarriedState {
  readonly v: 1
  readonly method: string
  readonly target: string
  readonly answers: Readonly<Record<string, unknown>>
}

/** The answers an echoed `requestState` carries, when it was minted for this very method and target. */
export const carriedAnswers = (request: McpRequest, target: string | undefined): Readonly<Record<string, unknown>> => {
  const state = request.requestState
  if (!isRecord(state) || state.v !== 1 || state.method !== request.method || state.target !== target) return {}
  return isRecord(state.answers) ? state.answers : {}
}

/** The state to seal into the next `input_required` result of this call. */
export const carriedState = (call: Call, answers: Readonly<Record<string, unknown>>): CarriedState => ({
  v: 1,
  method: call.request.method,
  target: nameOf(call.target) ?? "",
  answers
})

/** Builds the context handed to a handler for one call. */
export const makeToolContext = (call: Call, notifier: NotifierShape): ToolContext => {
  const request = call.request
  const progressToken = request.meta.progressToken
  const responses: Readonly<Record<string, unknown>> = {
    ...carriedAnswers(request, nameOf(call.target)),
    ...request.inputResponses
  }
  /** Answers the handler accepted so far in this run: carried to the next round if it asks for more. */
  const used: Record<string, unknown> = {}
  const answer = (key: string): unknown => responses[key]
  const accept = <A>(key: string, raw: unknown, value: A): Effect.Effect<A> =>
    Effect.sync(() => {
      used[key] = raw
      return value
    })
  const ask = (key: string, inputRequest: unknown) =>
    Effect.fail(new InputRequired({ requests: { [key]: inputRequest }, answers: { ...used } }))

  return {
    call,
    job: request.job,
    clientCapabilities: request.clientCapabilities,
    // Resource updates reach the clients of the call's tenant only.
    notify: { ...notifier, resourceUpdated: (uri) => notifier.resourceUpdated(uri, call.tenantId) },
    progress: (progress, total, message) =>
      progressToken === undefined
        ? Effect.void
        : Effect.promise(() =>
            request.client.notify("notifications/progress", {
              progressToken,
              progress,
              ...(total === undefined ? {} : { total }),
              ...(message === undefined ? {} : { message })
            })
          ).pipe(Effect.ignore),
    log: (level, data) => Effect.promise(() => request.client.log(level, data)).pipe(Effect.ignore),
    elicit: <S extends Schema.Top>(
      key: string,
      { message, schema }: { readonly message: string; readonly schema: S }
    ) =>
      Effect.suspend((): Effect.Effect<ElicitOutcome<S["Type"]>, InputRequired> => {
        const raw = answer(key)
        if (isRecord(raw) && typeof raw.action === "string") {
          if (raw.action === "accept") {
            const decoded = makeDecoder(schema)(raw.content ?? {})
            if (Result.isSuccess(decoded)) {
              return accept(key, raw, { action: "accept" as const, content: decoded.success })
            }
          } else if (raw.action === "decline" || raw.action === "cancel") {
            return accept(key, raw, { action: raw.action })
          }
        }
        const requestedSchema = toElicitationSchema(schema) as unknown as Parameters<
          typeof inputRequired.elicit
        >[0]["requestedSchema"]
        return ask(key, inputRequired.elicit({ message, requestedSchema }))
      }),
    sample: (key, params) =>
      Effect.suspend(() => {
        const raw = answer(key)
        if (isRecord(raw) && !Array.isArray(raw.content ?? null) && "role" in raw) {
          return accept(key, raw, raw as unknown as CreateMessageResult)
        }
        return ask(key, inputRequired.createMessage(params))
      }),
    listRoots: (key) =>
      Effect.suspend(() => {
        const raw = answer(key)
        if (isRecord(raw) && Array.isArray(raw.roots)) return accept(key, raw, raw as unknown as ListRootsResult)
        return ask(key, inputRequired.listRoots())
      }),
    all: <const T extends ReadonlyArray<Effect.Effect<unknown, InputRequired>>>(questions: T) =>
      Effect.flatMap(
        Effect.forEach(questions, (question) => Effect.result(question)),
        (results): Effect.Effect<Answers<T>, InputRequired> => {
          const pending = results.flatMap((result) => (Result.isFailure(result) ? [result.failure] : []))
          if (pending.length === 0) {
            return Effect.succeed(
              results.map((result) => (Result.isSuccess(result) ? result.success : undefined)) as Answers<T>
            )
          }
          return Effect.fail(
            new InputRequired({
              requests: Object.assign({}, ...pending.map((error) => error.requests)),
              answers: Object.assign({}, ...pending.map((error) => error.answers ?? {}), used)
            })
          )
        }
      )
  }
}
