import type { CreateMessageRequestParams, CreateMessageResult, LoggingLevel } from "@modelcontextprotocol/server"
import { inputRequired } from "@modelcontextprotocol/server"
import { Effect, Result, type Schema } from "effect"
import { InputRequired } from "../errors/InputRequired.ts"
import type { NotifierShape } from "../notify/Notifier.ts"
import type { CallState } from "../request/CurrentCall.ts"
import { makeDecoder } from "../schema/Decoder.ts"
import { toJsonSchema } from "../schema/JsonSchema.ts"

/** The user's answer to an elicitation. */
export type ElicitOutcome<A> =
  | { readonly action: "accept"; readonly content: A }
  | { readonly action: "decline" }
  | { readonly action: "cancel" }

/** What a handler can do besides computing its result: talk back to the client and publish changes. */
export interface ToolContext {
  /** The request in flight: request id, tenant, trace. */
  readonly call: CallState
  /** Reports progress when the client asked for it (a progress token); otherwise does nothing. */
  readonly progress: (progress: number, total?: number, message?: string) => Effect.Effect<void>
  /** Sends a log message to the client. */
  readonly log: (level: LoggingLevel, data: unknown) => Effect.Effect<void>
  /**
   * Asks the user for structured input. `key` names the question across retries: the first run fails with
   * `InputRequired`, the client asks the user and retries, and the next run gets the answer. Handlers must therefore
   * ask before they change anything.
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
  /** Publishes list changes and resource updates. */
  readonly notify: NotifierShape
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null

/** Builds the context handed to a handler for one call. */
export const makeToolContext = (call: CallState, notifier: NotifierShape): ToolContext => {
  const request = call.request
  const progressToken = request.meta.progressToken
  return {
    call,
    notify: notifier,
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
        const answer = request.inputResponses[key]
        if (isRecord(answer) && typeof answer.action === "string") {
          if (answer.action === "accept") {
            const decoded = makeDecoder(schema)(answer.content ?? {})
            if (Result.isSuccess(decoded))
              return Effect.succeed({ action: "accept" as const, content: decoded.success })
          } else if (answer.action === "decline" || answer.action === "cancel") {
            return Effect.succeed({ action: answer.action })
          }
        }
        const requestedSchema = toJsonSchema(schema) as Parameters<typeof inputRequired.elicit>[0]["requestedSchema"]
        return Effect.fail(
          new InputRequired({ requests: { [key]: inputRequired.elicit({ message, requestedSchema }) } })
        )
      }),
    sample: (key, params) =>
      Effect.suspend(() => {
        const answer = request.inputResponses[key]
        if (isRecord(answer) && Array.isArray(answer.content ?? null) === false && "role" in answer) {
          return Effect.succeed(answer as unknown as CreateMessageResult)
        }
        return Effect.fail(new InputRequired({ requests: { [key]: inputRequired.createMessage(params) } }))
      })
  }
}
