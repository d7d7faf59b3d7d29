/**
 * A handler that fails because its backend is unavailable for a moment (a lost connection, a database shutting
 * down, a deadlock) answers "unavailable, retry" with the request id; anything else unexpected stays an internal
 * error. The failures are `effect/sql`'s own error classes, as `@effect/sql-pg` raises them.
 */
import { Catalog, makeRequest, Notifier, Pipeline, Plugin, Tool, UNAVAILABLE_CODE } from "@bulwark/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"
import { ConnectionError, DeadlockError, SqlError, SqlSyntaxError, UnknownError } from "effect/sql/SqlError"

const failures: Record<string, () => unknown> = {
  "connection lost": () =>
    new SqlError({ reason: new ConnectionError({ cause: new Error("read ECONNRESET"), message: "Connection lost" }) }),
  "administrator shutdown": () =>
    new SqlError({
      reason: new UnknownError({
        cause: Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }),
        message: "PgConnection: Query failed"
      })
    }),
  deadlock: () => new SqlError({ reason: new DeadlockError({ cause: new Error("deadlock detected") }) }),
  "syntax error": () => new SqlError({ reason: new SqlSyntaxError({ cause: new Error("syntax error at or near") }) }),
  bug: () => new TypeError("cannot read properties of undefined")
}

const query = Tool.make("query", {
  description: "Fails the way it is told to",
  input: Schema.Struct({ failure: Schema.String }),
  handler: ({ failure }) => Effect.die(failures[failure]?.())
})

const PipelineLive = Pipeline.layer().pipe(
  Layer.provide(Catalog.layer([Plugin.make({ name: "db", version: "1.0.0", tools: [query] })])),
  Layer.provide(Notifier.none)
)

const fail = (failure: string) =>
  Effect.flatMap(Pipeline.Pipeline, (pipeline) =>
    Effect.flip(pipeline.handle(makeRequest("tools/call", { name: "query", arguments: { failure } })))
  )

describe("a backend unavailable for a moment", () => {
  it.layer(PipelineLive)((it) => {
    for (const failure of ["connection lost", "administrator shutdown", "deadlock"]) {
      it.effect(`(${failure}) is answered unavailable, retry, with the request id`, () =>
        Effect.gen(function* () {
          const error = yield* fail(failure)
          expect(error.code).toBe(UNAVAILABLE_CODE)
          expect(error.message).toMatch(
            /^Service temporarily unavailable: .* retry in 1 s \(request id [0-9a-f-]{36}\)$/
          )
          expect(error.data).toMatchObject({ retryAfterSeconds: 1 })
        })
      )
    }
    for (const failure of ["syntax error", "bug"]) {
      it.effect(`is not what a ${failure} is: that stays an internal error`, () =>
        Effect.gen(function* () {
          const error = yield* fail(failure)
          expect(error.code).toBe(-32603)
          expect(error.message).not.toContain("syntax")
        })
      )
    }
  })
})
