/**
 * Idempotency keys on `tools/call`: a client that may retry a call sends a key with it (`_meta` under
 * `io.bulwark/idempotencyKey`, or the `Idempotency-Key` HTTP header, as payment APIs take it); a retry with the same
 * key and the same arguments, on any instance, gets the first call's result instead of running the tool again, and a
 * retry that comes while the first still runs waits for it. The same key with other arguments (or another tool) is a
 * clear error. Keys belong to a tenant and a principal, and expire (`ttl`, a day by default).
 *
 * The keys live in PostgreSQL (`idempotency_keys`): the first call claims its key with one `INSERT ... ON CONFLICT`
 * (which also takes over a key whose holder's lease ran out: a process that died mid-call), stores the result when it
 * is done (a tool error is a result too), and gives the key up if it failed unexpectedly or was cancelled, so that a
 * retry runs again. Tools whose hints say they are not idempotent are the point: a retried `create_ticket` creates one
 * ticket.
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"
import {
  type Call,
  canonicalJson,
  type Handler,
  invalidParams,
  type JsonValue,
  type McpResult,
  type PipelineError,
  Stage,
  withDefault
} from "@bulwark/core"
import { Context, Duration, Effect, Exit, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql/SqlClient"

/** Where a key travels in a request's `_meta`. */
export const META_KEY = "io.bulwark/idempotencyKey"

/** The HTTP header that may carry it. */
export const HEADER = "idempotency-key"

/** The settings (`idempotency` in the bundled server's configuration). */
export const IdempotencyConfig = Schema.Struct({
  /** How long a key is remembered. */
  ttl: withDefault(Schema.DurationFromString, "1 day"),
  /** How long a running call holds its key before a retry may take it over (its process may have died). */
  lease: withDefault(Schema.DurationFromString, "5 minutes"),
  /** How often a retry that waits for a running call looks again. */
  pollInterval: withDefault(Schema.DurationFromString, "50 millis")
})

/** The decoded settings. */
export type IdempotencyConfig = typeof IdempotencyConfig.Type

/** A key is 1 to 255 visible ASCII characters. */
const validKey = /^[\x21-\x7e]{1,255}$/

/** The key a request carries, if any; a malformed one is reported. */
export const keyOf = (call: Call): { readonly key: string } | { readonly invalid: string } | undefined => {
  const fromMeta = call.request.meta[META_KEY]
  const raw = fromMeta ?? call.request.headers[HEADER]
  if (raw === undefined) return undefined
  if (typeof raw !== "string" || !validKey.test(raw)) {
    return { invalid: `${META_KEY} (or the Idempotency-Key header) must be 1 to 255 visible ASCII characters` }
  }
  return { key: raw }
}

interface Row {
  readonly tool: string
  readonly arguments_hash: string
  readonly state: "running" | "done"
  readonly result: unknown
  readonly leased: boolean
}

/** Idempotency keys, as a service. */
export class IdempotencyKeys extends Context.Service<
  IdempotencyKeys,
  { readonly serve: (call: Call, tool: string, key: string, next: Handler) => Effect.Effect<McpResult, PipelineError> }
>()("@bulwark/idempotency/IdempotencyKeys") {}

const hashOf = (tool: string, input: unknown) =>
  createHash("sha256")
    .update(canonicalJson([tool, (input ?? null) as JsonValue]))
    .digest("hex")

/** Keys on the app's database under `config`. */
export const layer = (config: IdempotencyConfig): Layer.Layer<IdempotencyKeys, never, SqlClient> =>
  Layer.effect(
    IdempotencyKeys,
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const ttlMs = Duration.toMillis(config.ttl)
      const leaseMs = Duration.toMillis(config.lease)

      /** Claims the key (new, expired, or whose holder's lease ran out): true when this call is to run. */
      const claim = (tenant: string, principal: string, key: string, tool: string, hash: string) =>
        sql<{ readonly claimed: boolean }>`
          INSERT INTO idempotency_keys (tenant_id, principal, key, tool, arguments_hash, state, lease_until, expires_at)
          VALUES (${tenant}, ${principal}, ${key}, ${tool}, ${hash}, 'running',
                  now() + ${leaseMs} * interval '1 millisecond', now() + ${ttlMs} * interval '1 millisecond')
          ON CONFLICT (tenant_id, principal, key) DO UPDATE
            SET tool = EXCLUDED.tool, arguments_hash = EXCLUDED.arguments_hash, state = 'running', result = NULL,
                lease_until = EXCLUDED.lease_until, expires_at = EXCLUDED.expires_at, created_at = now()
            WHERE idempotency_keys.expires_at < now()
               OR (idempotency_keys.state = 'running' AND idempotency_keys.lease_until < now()
                   AND idempotency_keys.tool = EXCLUDED.tool AND idempotency_keys.arguments_hash = EXCLUDED.arguments_hash)
          RETURNING true AS claimed`.pipe(Effect.map((rows) => rows.length > 0))

      const find = (tenant: string, principal: string, key: string) =>
        sql<Row>`
          SELECT tool, arguments_hash, state, result, lease_until > now() AS leased
          FROM idempotency_keys WHERE tenant_id = ${tenant} AND principal = ${principal} AND key = ${key}`.pipe(
          Effect.map((rows) => rows[0])
        )

      const complete = (tenant: string, principal: string, key: string, result: McpResult) =>
        sql`
          UPDATE idempotency_keys SET state = 'done', result = ${JSON.stringify(result)}::jsonb, lease_until = NULL
          WHERE tenant_id = ${tenant} AND principal = ${principal} AND key = ${key}`

      const release = (tenant: string, principal: string, key: string) =>
        sql`DELETE FROM idempotency_keys WHERE tenant_id = ${tenant} AND principal = ${principal} AND key = ${key}
            AND state = 'running'`

      const serve = (call: Call, tool: string, key: string, next: Handler): Effect.Effect<McpResult, PipelineError> => {
        const tenant = call.tenantId
        const principal = call.principal?.subject ?? ""
        const hash = hashOf(tool, call.input)
        const mismatch = invalidParams(
          `Idempotency key "${key}" was first used with other arguments (or another tool); use a new key for a new call`
        )
        /** Runs the call holding the key: its result is kept, a failure or a cancellation gives the key up. */
        const run = next(call).pipe(
          Effect.onExit((exit) =>
            Exit.isSuccess(exit)
              ? Effect.ignore(complete(tenant, principal, key, exit.value))
              : Effect.ignore(release(tenant, principal, key))
          )
        )
        const attempt: Effect.Effect<McpResult, PipelineError> = Effect.flatMap(
          claim(tenant, principal, key, tool, hash),
          (claimed) => {
            if (claimed) return run
            return Effect.flatMap(find(tenant, principal, key), (row) => {
              // Gone between the two statements (given up by a failed call): try again.
              if (row === undefined) return attempt
              if (row.tool !== tool || row.arguments_hash !== hash) return Effect.fail(mismatch)
              if (row.state === "done") {
                const stored = row.result as McpResult
                return Effect.succeed({
                  ...stored,
                  _meta: { ...(stored._meta as object | undefined), [META_KEY]: key }
                })
              }
              // Running elsewhere: wait for it (or for its lease to run out, and take it over).
              return Effect.andThen(Effect.sleep(config.pollInterval), attempt)
            })
          }
        ).pipe(Effect.catchTag("SqlError", (error) => Effect.die(error))) as Effect.Effect<McpResult, PipelineError>
        return attempt
      }

      // Expired keys are removed now and then (a lookup ignores them anyway).
      yield* sql`DELETE FROM idempotency_keys WHERE expires_at < now()`.pipe(
        Effect.ignore,
        Effect.andThen(Effect.sleep("10 minutes")),
        Effect.forever,
        Effect.forkScoped
      )

      return IdempotencyKeys.of({ serve })
    })
  )

/** The `reuse`-phase stage: a `tools/call` that carries a key goes through the keys; anything else passes. */
export const stage = Effect.map(IdempotencyKeys, (keys) =>
  Stage.make(
    "idempotency",
    "reuse",
    (next: Handler): Handler =>
      (call) => {
        const target = call.target
        if (target._tag !== "ToolCall" || target.tool === undefined) return next(call)
        const found = keyOf(call)
        if (found === undefined) return next(call)
        if ("invalid" in found) return Effect.fail(invalidParams(found.invalid))
        return keys.serve(call, target.name, found.key, next)
      }
  )
)
