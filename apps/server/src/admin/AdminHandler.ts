/**
 * One admin route handler: the admin token check, typed failures turned into JSON answers (never a stack trace), and
 * for changes, the audit record of every attempt.
 *
 * @since 0.1.0
 */
import type { AuditLogShape, AuditOutcome } from "@bulwark/audit"
import { makeRequestId } from "@bulwark/core"
import { Cause, Clock, Effect } from "effect"
import { HttpServerRequest, HttpServerResponse } from "effect/http"
import { type AuditNote, awaitWritten, emptyNote, recordChange } from "./AdminAudit.ts"
import type { AdminError } from "./AdminErrors.ts"
import type { TokenCheck } from "./AdminToken.ts"

/** What every handler needs: the token check and the audit log. */
export interface AdminEnv {
  readonly check: TokenCheck
  readonly audit: AuditLogShape
}

/** A handler's answer: an HTTP status and a JSON body. */
export interface Reply {
  readonly status: number
  readonly body: unknown
}

/** 200 (or `status`) with `body`. */
export const reply = (body: unknown, status = 200): Reply => ({ status, body })

interface Settled {
  readonly reply: Reply
  readonly outcome: AuditOutcome
  readonly rejectedBy: string | null
  readonly reason: string | null
}

const unauthorized: Settled = {
  reply: { status: 401, body: { error: "unauthorized" } },
  outcome: "rejected",
  rejectedBy: "authentication",
  reason: "admin token missing or wrong"
}

const refused = (status: number, error: string, message: string, reason: string, extra: object = {}): Settled => ({
  reply: { status, body: { error, message, ...extra } },
  outcome: "rejected",
  rejectedBy: "admin",
  reason
})

const failed = (status: number, error: string, message: string, reason: string): Settled => ({
  reply: { status, body: { error, message } },
  outcome: "protocol_error",
  rejectedBy: null,
  reason
})

/** Runs a handler to an answer: typed failures become 4xx/503, defects a logged 500. */
const settle = <R>(handle: Effect.Effect<Reply, AdminError, R>): Effect.Effect<Settled, never, R> =>
  handle.pipe(
    Effect.map((reply): Settled => ({ reply, outcome: "success", rejectedBy: null, reason: null })),
    Effect.catchTags({
      AdminRequestInvalid: (error) =>
        Effect.succeed(
          refused(
            400,
            "invalid_request",
            error.message,
            `invalid request: ${error.issues.map((issue) => issue.path || "(body)").join(", ")}`,
            { issues: error.issues }
          )
        ),
      AdminNotFound: (error) => Effect.succeed(refused(404, "not_found", error.message, error.message)),
      AdminConflict: (error) => Effect.succeed(refused(409, "conflict", error.message, error.message)),
      AdminUnavailable: (error) =>
        Effect.as(
          Effect.logWarning(`admin API: could not ${error.operation}`, error.cause),
          failed(503, "unavailable", error.message, `store unavailable: ${error.operation}`)
        )
    }),
    Effect.catchDefect((defect) =>
      Effect.as(
        Effect.logError("admin API: unexpected failure", Cause.die(defect)),
        failed(500, "internal_error", "The admin API failed unexpectedly; see the server log", "internal error")
      )
    )
  )

const toResponse = (reply: Reply, requestId: string): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.jsonUnsafe(reply.body, {
    status: reply.status,
    headers: {
      "cache-control": "no-store",
      "x-request-id": requestId,
      ...(reply.status === 401 ? { "www-authenticate": 'Bearer realm="bulwark-admin"' } : {})
    }
  })

const traceId = Effect.currentSpan.pipe(
  Effect.map((span): string | null => span.traceId),
  Effect.orElseSucceed(() => null)
)

/**
 * A handler that requires the admin token. With `audited` (the audit method, e.g. `admin/keys.create`) every attempt,
 * refused or not, is recorded with what `handle` wrote into its note. An audited handler cannot be interrupted (a
 * client that hangs up mid-change) between the change and its record.
 */
export const handler = <R>(
  env: AdminEnv,
  audited: string | undefined,
  handle: (note: AuditNote) => Effect.Effect<Reply, AdminError, R>
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, R | HttpServerRequest.HttpServerRequest> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const startedAt = yield* Clock.currentTimeMillis
      const requestId = makeRequestId()
      const note = emptyNote()
      const authenticated = env.check(request.headers.authorization)
      if (audited === undefined) {
        const settled = authenticated ? yield* restore(settle(handle(note))) : unauthorized
        return toResponse(settled.reply, requestId)
      }
      const settled = authenticated ? yield* settle(handle(note)) : unauthorized
      const finishedAt = yield* Clock.currentTimeMillis
      yield* recordChange(env.audit, {
        method: audited,
        note,
        outcome: settled.outcome,
        rejectedBy: settled.rejectedBy,
        reason: settled.reason,
        authenticated,
        startedAt,
        durationMs: finishedAt - startedAt,
        requestId,
        traceId: yield* traceId
      })
      yield* restore(awaitWritten(env.audit))
      return toResponse(settled.reply, requestId)
    })
  )
