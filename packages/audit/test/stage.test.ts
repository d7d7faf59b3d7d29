/**
 * Records written through the audit stage of a real pipeline (and the edge), into a fresh database on the shared
 * PostgreSQL: one record per request, every outcome, redaction by the framework, and a chain that verifies.
 */
import { AuditLog, recordEdgeExchange, verifyChain } from "@bulwark/audit"
import { expect, layer } from "@effect/vitest"
import { Effect, Fiber, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { auditInstance } from "./support/AuditDatabase.ts"
import { PipelineWithAudit, principal, request, send } from "./support/demo.ts"
import { auditLines, LogCapture } from "./support/LogCapture.ts"
import { allRows, type RawRow } from "./support/rows.ts"
import { TestDatabase } from "./support/TestDatabase.ts"

const Live = PipelineWithAudit.pipe(
  Layer.provideMerge(
    Layer.unwrap(
      Effect.gen(function* () {
        const { url } = yield* TestDatabase
        return auditInstance(url, { flushInterval: "20 millis" })
      })
    )
  ),
  Layer.provideMerge(TestDatabase.layer("stage")),
  Layer.provideMerge(LogCapture.layer)
)

const only = (rows: ReadonlyArray<RawRow>, predicate: (row: RawRow) => boolean): RawRow => {
  const matching = rows.filter(predicate)
  expect(matching).toHaveLength(1)
  return matching[0]!
}

layer(Live, { excludeTestServices: true })("audit stage", (it) => {
  it.effect("writes one record per request with its outcome, rejecting stage, error code and redacted arguments", () =>
    Effect.gen(function* () {
      const log = yield* AuditLog
      yield* send(
        request("tools/call", {
          name: "login",
          arguments: { user: "ada", password: "hunter2-SECRET", profile: { token: "tok-SECRET", note: "hi" } }
        })
      )
      yield* send(request("tools/call", { name: "fail_tool", arguments: { reason: "no such ticket" } }))
      yield* send(request("tools/call", { name: "nope", arguments: { password: "unknown-SECRET" } }))
      yield* send(request("tools/call", { name: "delete_everything", arguments: { apiSecret: "api-SECRET" } }))
      yield* send(request("tools/list", {}, principal("throttled", "key-9")))
      yield* send(request("tools/call", { name: "confirm", arguments: {} }))
      yield* send(request("resources/read", { uri: "demo://42" }))
      yield* send(request("prompts/get", { name: "greet", arguments: { name: "Ada", pin: "1234-SECRET" } }))
      yield* send(request("tools/call", { name: "login", arguments: { password: "invalid-SECRET" } }))
      yield* send(request("tools/list", {}, null))
      yield* log.flush

      const rows = yield* allRows
      expect(rows).toHaveLength(10)
      expect(rows.map((row) => row.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
      expect(new Set(rows.map((row) => row.request_id)).size).toBe(10)

      const login = only(rows, (row) => row.target === "login" && row.outcome === "success")
      expect(login).toMatchObject({
        tenant_id: "acme",
        principal_subject: "key-1",
        principal_method: "api-key",
        method: "tools/call",
        rejected_by: null,
        error_code: null,
        arguments: { user: "ada", password: "[REDACTED]", profile: { token: "[REDACTED]", note: "hi" } }
      })
      expect(login.trace_id).toMatch(/^[0-9a-f]{32}$/)
      expect(login.duration_ms).toBeGreaterThan(0)

      expect(only(rows, (row) => row.target === "fail_tool")).toMatchObject({
        outcome: "tool_error",
        arguments: { reason: "no such ticket" }
      })
      expect(only(rows, (row) => row.target === "nope")).toMatchObject({
        outcome: "protocol_error",
        error_code: -32602,
        rejected_by: null,
        arguments: null
      })
      expect(only(rows, (row) => row.target === "delete_everything")).toMatchObject({
        outcome: "rejected",
        rejected_by: "authorization",
        error_code: -32003,
        arguments: { apiSecret: "[REDACTED]" }
      })
      expect(only(rows, (row) => row.tenant_id === "throttled")).toMatchObject({
        method: "tools/list",
        outcome: "rejected",
        rejected_by: "rate-limit",
        error_code: -32029,
        principal_subject: "key-9"
      })
      expect(only(rows, (row) => row.target === "confirm")).toMatchObject({ outcome: "input_required" })
      expect(only(rows, (row) => row.method === "resources/read")).toMatchObject({
        target: "demo://42",
        outcome: "success",
        arguments: null
      })
      expect(only(rows, (row) => row.method === "prompts/get")).toMatchObject({
        target: "greet",
        outcome: "success",
        arguments: { name: "Ada", pin: "[REDACTED]" }
      })
      expect(only(rows, (row) => row.target === "login" && row.outcome === "tool_error")).toMatchObject({
        arguments: { password: "[REDACTED]" }
      })
      expect(only(rows, (row) => row.principal_subject === null)).toMatchObject({
        tenant_id: "default",
        principal_method: null,
        method: "tools/list",
        outcome: "success"
      })
    })
  )

  it.effect("records a request refused at the edge, with no principal and no tenant", () =>
    Effect.gen(function* () {
      const log = yield* AuditLog
      yield* recordEdgeExchange({
        outcome: "rejected",
        refusedBy: "authentication",
        reason: "unknown API key",
        errorCode: -32001,
        method: "tools/call",
        target: "login"
      })
      yield* recordEdgeExchange({ outcome: "rejected", refusedBy: "authentication", reason: "missing credentials" })
      yield* log.flush
      const rows = (yield* allRows).filter((row) => row.rejected_by === "authentication")
      expect(rows).toMatchObject([
        {
          tenant_id: null,
          principal_subject: null,
          principal_method: null,
          method: "tools/call",
          target: "login",
          arguments: null,
          outcome: "rejected",
          rejected_by: "authentication",
          error_code: -32001,
          reason: "unknown API key",
          trace_id: null
        },
        {
          tenant_id: null,
          principal_subject: null,
          principal_method: null,
          method: null,
          target: null,
          arguments: null,
          outcome: "rejected",
          rejected_by: "authentication",
          error_code: null,
          reason: "missing credentials",
          trace_id: null
        }
      ])
    })
  )

  it.effect("records a request whose client went away as cancelled", () =>
    Effect.gen(function* () {
      const log = yield* AuditLog
      const fiber = yield* Effect.forkChild(send(request("tools/call", { name: "slow", arguments: {} })))
      yield* Effect.sleep("50 millis")
      yield* Fiber.interrupt(fiber)
      yield* log.flush
      expect(only(yield* allRows, (row) => row.target === "slow")).toMatchObject({
        outcome: "cancelled",
        error_code: null,
        tenant_id: "acme"
      })
    })
  )

  it.effect(
    "never lets a field marked sensitive reach the table or the log, and keeps written records out of the log",
    () =>
      Effect.gen(function* () {
        const { lines } = yield* LogCapture
        const sql = yield* SqlClient
        const leaked = yield* sql<{
          readonly n: bigint
        }>`SELECT count(*) AS n FROM audit_log t WHERE t::text LIKE '%SECRET%'`
        expect(Number(leaked[0]?.n)).toBe(0)
        // Every record reached the database, so none is in the log: the log has the requests, not their arguments.
        expect(auditLines(lines)).toHaveLength(0)
        expect(lines.length).toBeGreaterThan(0)
        for (const line of lines) expect(JSON.stringify(line)).not.toContain("SECRET")
      })
  )

  it.effect("leaves a chain that verifies", () =>
    Effect.gen(function* () {
      const report = yield* verifyChain()
      expect(report).toMatchObject({ ok: true, checked: 13, head: { id: 13 } })
    })
  )
})
