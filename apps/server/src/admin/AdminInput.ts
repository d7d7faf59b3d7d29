/**
 * Reading a request's input: the JSON body, path parameters and query, decoded with Effect Schema. Every problem is
 * reported with its field and what was expected (never the value, which could be a secret pasted in the wrong place).
 *
 * @since 0.1.0
 */
import { describeIssues, makeDecoder } from "@bulwark/core"
import { ByteSize, Effect, Result, type Schema } from "effect"
import { HttpIncomingMessage, HttpRouter, HttpServerRequest } from "effect/http"
import { type AdminIssue, AdminRequestInvalid } from "./AdminErrors.ts"

/** A 400 for these issues, `where` naming the part of the request (`body`, `query`, ...). */
export const invalid = (where: string, issues: ReadonlyArray<AdminIssue>): AdminRequestInvalid =>
  new AdminRequestInvalid({ message: `Invalid ${where}: ${describeIssues(issues)}`, issues })

/** Decodes `input` (the JSON form of `schema`) or fails with the fields that do not fit. */
export const decoder = <S extends Schema.Top>(schema: S, where: string) => {
  const decode = makeDecoder(schema)
  return (input: unknown): Effect.Effect<S["Type"], AdminRequestInvalid> => {
    const result = decode(input)
    return Result.isSuccess(result) ? Effect.succeed(result.success) : Effect.fail(invalid(where, result.failure))
  }
}

/** The largest body the admin API reads: a tenant configuration is a few kilobytes. */
export const maxBodyBytes = 1_048_576

/** The request body parsed as JSON (`undefined` when empty); 400 when it is not JSON or over {@link maxBodyBytes}. */
export const jsonBody: Effect.Effect<unknown, AdminRequestInvalid, HttpServerRequest.HttpServerRequest> = Effect.gen(
  function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const text = yield* request.text.pipe(
      Effect.provideService(HttpIncomingMessage.MaxBodySize, ByteSize.bytes(maxBodyBytes)),
      Effect.mapError(() =>
        invalid("body", [{ path: "", message: `Expected a body of at most ${maxBodyBytes} bytes that can be read` }])
      )
    )
    if (text.trim() === "") return undefined
    return yield* Effect.try({
      try: (): unknown => JSON.parse(text),
      catch: () => invalid("body", [{ path: "", message: "Expected a JSON document" }])
    })
  }
)

/** The body decoded with `schema`. */
export const body = <S extends Schema.Top>(schema: S) => {
  const decode = decoder(schema, "body")
  return Effect.flatMap(jsonBody, decode)
}

/** A path parameter of the matched route (always present: the router matched it). */
export const pathParam = (name: string): Effect.Effect<string, never, HttpRouter.RouteContext> =>
  Effect.map(HttpRouter.params, (params) => params[name] ?? "")

/** The query string decoded with `schema` (its fields are strings, or arrays of strings when repeated). */
export const query = <S extends Schema.Top>(schema: S) => {
  const decode = decoder(schema, "query")
  return Effect.flatMap(HttpServerRequest.ParsedSearchParams, decode)
}
