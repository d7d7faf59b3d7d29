/**
 * The CLI as an operator runs it (`node packages/audit/src/cli.ts ...`, a real process), against a fresh database on
 * the shared PostgreSQL: JSON out, exit 0 when the chain verifies, 1 when broken, 2 on bad arguments, 3 when the
 * database cannot be used.
 */
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { AuditLog } from "@bulwark/audit"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer, Logger } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { auditInstance } from "./support/AuditDatabase.ts"
import { sampleRecord } from "./support/records.ts"
import { TestDatabase } from "./support/TestDatabase.ts"

const cli = fileURLToPath(new URL("../src/cli.ts", import.meta.url))

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs the CLI in a child process of the same Node binary. */
const runCli = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.promise(
    () =>
      new Promise<Run>((resolve) => {
        const { DATABASE_URL: _, ...inherited } = process.env
        execFile(process.execPath, [cli, ...args], { env: { ...inherited, ...env } }, (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr })
        )
      })
  )

const Live = Layer.unwrap(
  Effect.gen(function* () {
    const { url } = yield* TestDatabase
    return auditInstance(url, { flushInterval: "10 millis" })
  })
).pipe(Layer.provideMerge(TestDatabase.layer("cli")), Layer.provideMerge(Logger.layer([])))

layer(Live, { excludeTestServices: true })("audit CLI", (it) => {
  it.effect("verifies the chain and answers queries as JSON", () =>
    Effect.gen(function* () {
      const { url } = yield* TestDatabase
      const log = yield* AuditLog
      for (let n = 0; n < 6; n++) {
        yield* log.record(
          sampleRecord(n, {
            tenantId: n < 4 ? "t" : "other",
            outcome: n % 2 === 0 ? "rejected" : "success",
            time: new Date(Date.UTC(2026, 0, 1 + n))
          })
        )
      }
      yield* log.flush

      const verified = yield* runCli(["verify", "--database-url", url])
      expect(verified.code).toBe(0)
      expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, checked: 6, head: { id: 6 } })

      const queried = yield* runCli(
        ["query", "--tenant", "t", "--outcome", "rejected", "--since", "2026-01-02", "--limit", "50"],
        { DATABASE_URL: url }
      )
      expect(queried.code).toBe(0)
      const page = JSON.parse(queried.stdout) as { records: Array<Record<string, unknown>>; nextCursor: unknown }
      expect(page.nextCursor).toBeNull()
      expect(page.records.map((record) => [record.id, record.tenantId, record.outcome, record.time])).toEqual([
        [3, "t", "rejected", "2026-01-03T00:00:00.000Z"]
      ])
    })
  )

  it.effect("exits 1 with the broken record when the chain was tampered with", () =>
    Effect.gen(function* () {
      const { url } = yield* TestDatabase
      const sql = yield* SqlClient
      yield* sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`
      yield* sql`UPDATE audit_log SET outcome = 'success' WHERE id = 3`
      yield* sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`
      const broken = yield* runCli(["verify", "--database-url", url])
      expect(broken.code).toBe(1)
      expect(JSON.parse(broken.stdout)).toMatchObject({ ok: false, brokenAt: 3, reason: "hash_mismatch" })
    })
  )

  it.effect("exits 2 on bad arguments and 3 when the database cannot be used", () =>
    Effect.gen(function* () {
      const { url } = yield* TestDatabase
      const cases = yield* Effect.all(
        [
          runCli(["frobnicate", "--database-url", url]),
          runCli(["query", "--database-url", url, "--limit", "0"]),
          runCli(["query", "--database-url", url, "--outcome", "maybe"]),
          runCli(["query", "--database-url", url, "--since", "yesterday"]),
          runCli(["verify"]),
          runCli(["verify", "--database-url", "mysql://nope"]),
          runCli(["query", "--database-url", url, "--cursor", "bogus"]),
          runCli(["verify", "--database-url", "postgres://postgres@127.0.0.1:1/postgres"])
        ],
        { concurrency: "unbounded" }
      )
      expect(cases.map((run) => run.code)).toEqual([2, 2, 2, 2, 2, 2, 2, 3])
      for (const run of cases) {
        expect(run.stdout).toBe("")
        expect(JSON.parse(run.stderr.split("\n")[0]!)).toHaveProperty("error")
      }
    })
  )
})
