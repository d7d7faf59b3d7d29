/**
 * `pnpm bench:audit`: what writing the audit log costs, in this process and in PostgreSQL. Records go through the
 * public `AuditLog` in batches of 301-500 records (as a busy server's flushes make them: of every size), on a
 * fresh database of the local PostgreSQL; for each round it prints this process's CPU per record, PostgreSQL's (the
 * CPU time of its processes, from `/proc`: run it with nothing else on the database) and the wall time per record.
 *
 *   node bench/audit.ts [--batches 40] [--rounds 6]
 */
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { parseArgs } from "node:util"
import { AuditConfig, AuditLog, type AuditRecord } from "@bulwark/audit"
import { makeRequestId } from "@bulwark/core"
import { Database, DatabaseConfig, MigrationRegistry } from "@bulwark/database"
import { createDatabase, dropDatabases } from "@bulwark/database/testing"
import { Effect, Layer, Redacted, Schema } from "effect"
import { TICKS_PER_SECOND } from "./processes.ts"

const { values } = parseArgs({
  options: { batches: { type: "string", default: "40" }, rounds: { type: "string", default: "6" } }
})

/** CPU ticks of every process of the `postgres` user, exited backends included (their parent's `cutime`). */
const postgresTicks = (): number => {
  let ticks = 0
  for (const pid of execFileSync("pgrep", ["-u", "postgres"]).toString().trim().split("\n")) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8")
        .replace(/^.*\) /, "")
        .split(" ")
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])
    } catch {
      // gone since pgrep listed it
    }
  }
  return ticks
}

let n = 0
/** A record as the audit stage makes one for a tool call. */
const recordOf = (): AuditRecord => {
  n += 1
  return {
    time: new Date(),
    tenantId: "acme",
    principal: { subject: "key-1", method: "api-key" },
    method: "tools/call",
    target: "create_ticket",
    arguments: { title: `ticket ${n}`, priority: n % 2 === 0 ? "low" : "high" },
    outcome: "success",
    rejectedBy: null,
    errorCode: null,
    reason: null,
    durationMs: 1.5 + (n % 1000) / 1000,
    requestId: makeRequestId(),
    traceId: null
  }
}

const database = await createDatabase("bench_audit")
const config = Schema.decodeUnknownSync(AuditConfig)({ flushInterval: "1 millis" })
const layer = AuditLog.layer(config).pipe(
  Layer.provideMerge(Database.layer(DatabaseConfig.make({ url: Redacted.make(database.url), poolSize: 2 }))),
  Layer.provideMerge(MigrationRegistry.layer)
)

const program = Effect.gen(function* () {
  const log = yield* AuditLog
  for (let round = 1; round <= Number(values.rounds); round++) {
    let records = 0
    const cpu = process.cpuUsage()
    const postgres = postgresTicks()
    const started = performance.now()
    for (let batch = 0; batch < Number(values.batches); batch++) {
      // Sizes from 301 to 500 in a scattered order, as a busy server's flushes make them.
      const size = 301 + ((((round - 1) * Number(values.batches) + batch) * 37) % 200)
      for (let i = 0; i < size; i++) yield* log.record(recordOf())
      yield* log.flush
      records += size
    }
    const used = process.cpuUsage(cpu)
    const postgresMicros = ((postgresTicks() - postgres) / TICKS_PER_SECOND) * 1e6
    process.stdout.write(
      `round ${round}: ${((used.user + used.system) / records).toFixed(1)} µs CPU per record here, ` +
        `${(postgresMicros / records).toFixed(1)} in PostgreSQL, ` +
        `${(((performance.now() - started) / records) * 1000).toFixed(1)} µs wall\n`
    )
  }
})

await Effect.runPromise(Effect.scoped(Effect.provide(program, layer)))
await dropDatabases()
