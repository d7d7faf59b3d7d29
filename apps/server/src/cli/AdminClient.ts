/**
 * The admin CLI's HTTP side: one request to the admin API with the bearer token, its answer as status and JSON.
 *
 * @since 0.1.0
 */
import { Data, Effect, Redacted } from "effect"

/** The admin API could not be reached, or its answer was not JSON. Never carries the token. */
export class AdminUnreachable extends Data.TaggedError("AdminUnreachable")<{ readonly message: string }> {}

/** An answer of the admin API. */
export interface AdminAnswer {
  readonly status: number
  readonly body: unknown
}

/** How long one request may take. */
const timeoutMs = 30_000

// fetch's own message is "fetch failed"; the reason (ECONNREFUSED, bad port, ...) is in its cause.
const causeText = (error: unknown): string => {
  const cause = error instanceof Error ? error.cause : undefined
  if (cause instanceof Error) return "code" in cause && typeof cause.code === "string" ? cause.code : cause.message
  return error instanceof Error ? error.message : String(error)
}

/** Sends `method path` to the admin API at `base` with `body` as JSON. */
export const send = (
  base: URL,
  token: Redacted.Redacted<string>,
  request: { readonly method: string; readonly path: string; readonly body?: unknown }
): Effect.Effect<AdminAnswer, AdminUnreachable> =>
  Effect.gen(function* () {
    const url = new URL(request.path, base)
    const response = yield* Effect.tryPromise({
      try: (signal) =>
        fetch(url, {
          method: request.method,
          headers: {
            authorization: `Bearer ${Redacted.value(token)}`,
            accept: "application/json",
            ...(request.body === undefined ? {} : { "content-type": "application/json" })
          },
          ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])
        }),
      catch: (error) =>
        new AdminUnreachable({ message: `Cannot reach the admin API at ${base.origin}: ${causeText(error)}` })
    })
    const text = yield* Effect.tryPromise({
      try: () => response.text(),
      catch: (error) => new AdminUnreachable({ message: `The admin API's answer was cut off: ${causeText(error)}` })
    })
    const body = yield* Effect.try({
      try: (): unknown => JSON.parse(text),
      catch: () =>
        new AdminUnreachable({
          message: `${base.origin} did not answer as the admin API does (HTTP ${response.status}, not JSON)`
        })
    })
    return { status: response.status, body }
  })
