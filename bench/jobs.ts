/**
 * `pnpm bench:jobs`: what durable jobs and idempotency keys cost, on a fresh database of the local PostgreSQL (or
 * `DATABASE_URL`'s server), with the bundled server as users run it.
 *
 * 1. Job throughput: `JOBS` tasks of a tool that does nothing (`servers/jobs.ts`), submitted over HTTP by 32 callers
 *    spread over one, then two instances (4 workers each): tasks created per second, and jobs completed per second
 *    from the first submission to the last completion.
 * 2. Idempotency keys: `get_ticket` (tickets plugin, cache off) at 10 connections without a key, then with a fresh
 *    key on every call (claimed and stored in PostgreSQL): the server's CPU per call and the latency, as ratios to
 *    the call without a key, in the same run.
 *
 *   node bench/jobs.ts [--jobs 2000] [--seconds 10] [--warmup 3]
 */
import { mkdir, writeFile } from "node:fs/promises"
import { parseArgs } from "node:util"
import { createDatabase, dropDatabases, query } from "@bulwark/database/testing"
import { generateApiKey } from "@bulwark/identity"
import { nodeFlags } from "@bulwark/server"
import { Redacted } from "effect"
import { cpuTicks, load, type Running, startServer, stopServer, TICKS_PER_SECOND } from "./processes.ts"
import { bodyFor, headersFor as toolCallHeaders } from "./toolCall.ts"

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "2000" },
    seconds: { type: "string", default: "10" },
    warmup: { type: "string", default: "3" }
  }
})
const JOBS = Number(values.jobs)
const SECONDS = Number(values.seconds)
const WARMUP = Number(values.warmup)
const API_KEY = Redacted.value(generateApiKey().key)
const here = new URL(".", import.meta.url).pathname

/** The headers of a call of `name` with this run's API key. */
const headersFor = (name: string, extra: Record<string, string> = {}) => toolCallHeaders(API_KEY, name, extra)

// ---------------------------------------------------------------------------------------------------------------
// 1. Job throughput.

interface ThroughputRow {
  readonly instances: number
  readonly jobs: number
  readonly submittedPerSecond: number
  readonly completedPerSecond: number
}

const throughput = async (instances: number): Promise<ThroughputRow> => {
  const database = await createDatabase(`bench_jobs_${instances}`)
  const servers: Array<Running> = []
  try {
    for (let i = 0; i < instances; i++) {
      servers.push(
        await startServer("servers/jobs.ts", nodeFlags, { DATABASE_URL: database.url, BULWARK_API_KEY: API_KEY })
      )
    }
    const started = performance.now()
    let next = 0
    const caller = async () => {
      while (next < JOBS) {
        const n = next++
        const server = servers[n % instances] as Running
        const response = await fetch(`http://127.0.0.1:${server.port}/mcp`, {
          method: "POST",
          headers: headersFor("noop_job"),
          body: bodyFor("noop_job", { n }, true)
        })
        const text = await response.text()
        if (!text.includes('"resultType":"task"')) throw new Error(`not a task: ${text.slice(0, 300)}`)
      }
    }
    await Promise.all(Array.from({ length: 32 }, caller))
    const submittedMs = performance.now() - started
    for (;;) {
      const [row] = await query(
        database.url,
        "SELECT count(*) FILTER (WHERE status = 'completed')::int AS done, count(*)::int AS all FROM bulwark_jobs"
      )
      if (Number(row?.done) === JOBS) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const doneMs = performance.now() - started
    const row: ThroughputRow = {
      instances,
      jobs: JOBS,
      submittedPerSecond: (JOBS * 1000) / submittedMs,
      completedPerSecond: (JOBS * 1000) / doneMs
    }
    process.stderr.write(`jobs on ${instances} instance(s): ${JSON.stringify(row)}\n`)
    return row
  } finally {
    for (const server of servers) await stopServer(server)
    await dropDatabases()
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Idempotency keys.

interface KeyRow {
  readonly key: "none" | "fresh"
  readonly cpuMicrosPerRequest: number
  readonly perSecond: number
  readonly p50: number
  readonly p99: number
}

const keys = async (): Promise<ReadonlyArray<KeyRow>> => {
  const database = await createDatabase("bench_keys")
  const running = await startServer("servers/tickets.ts", nodeFlags, {
    DATABASE_URL: database.url,
    BULWARK_API_KEY: API_KEY,
    BENCH_CACHE: "off"
  })
  try {
    const created = await fetch(`http://127.0.0.1:${running.port}/mcp`, {
      method: "POST",
      headers: headersFor("create_ticket"),
      body: bodyFor("create_ticket", { title: "Printer on fire", reporterId: 1 }, false)
    })
    const ticket = ((await created.json()) as { result: { structuredContent: { id: number } } }).result
      .structuredContent.id
    const rows: Array<KeyRow> = []
    for (const key of ["none", "fresh", "none", "fresh"] as const) {
      const job = {
        url: `http://127.0.0.1:${running.port}/mcp`,
        headers: headersFor("get_ticket"),
        body: bodyFor("get_ticket", { id: ticket }, false),
        connections: 10,
        expect: "Printer on fire",
        ...(key === "fresh" ? { uniqueHeader: "idempotency-key" } : {})
      }
      await load({ ...job, seconds: WARMUP })
      const pid = running.child.pid ?? 0
      const before = await cpuTicks(pid)
      const result = await load({ ...job, seconds: SECONDS })
      const after = await cpuTicks(pid)
      if (Object.keys(result.statuses).some((status) => status !== "200")) {
        throw new Error(`keys ${key}: answers ${JSON.stringify(result.statuses)}`)
      }
      const row: KeyRow = {
        key,
        cpuMicrosPerRequest: (((after - before) / TICKS_PER_SECOND) * 1e6) / result.requests,
        perSecond: result.perSecond,
        p50: result.ok.p50,
        p99: result.ok.p99
      }
      process.stderr.write(`keys ${key}: ${JSON.stringify(row)}\n`)
      rows.push(row)
    }
    return rows
  } finally {
    await stopServer(running)
    await dropDatabases()
  }
}

const jobRows = [await throughput(1), await throughput(2)]
const keyRows = await keys()
const mean = (rows: ReadonlyArray<KeyRow>, pick: (row: KeyRow) => number) =>
  rows.reduce((sum, row) => sum + pick(row), 0) / rows.length
const none = keyRows.filter((row) => row.key === "none")
const fresh = keyRows.filter((row) => row.key === "fresh")
const lines = [
  `Run ${new Date().toISOString()}: ${JOBS} jobs of a tool that does nothing, submitted as tasks by 32 callers; 4 workers per instance.`,
  "",
  "| instances | tasks created/s | jobs completed/s (submission to last completion) |",
  "| ---: | ---: | ---: |",
  ...jobRows.map(
    (row) => `| ${row.instances} | ${row.submittedPerSecond.toFixed(0)} | ${row.completedPerSecond.toFixed(0)} |`
  ),
  "",
  `get_ticket (cache off), 10 connections, ${SECONDS} s after ${WARMUP} s of warm-up, alternating twice:`,
  "",
  "| idempotency key | CPU µs/req | req/s | p50 ms | p99 ms |",
  "| --- | ---: | ---: | ---: | ---: |",
  ...keyRows.map(
    (row) =>
      `| ${row.key} | ${row.cpuMicrosPerRequest.toFixed(0)} | ${row.perSecond.toFixed(0)} | ${row.p50.toFixed(1)} | ${row.p99.toFixed(1)} |`
  ),
  "",
  `A fresh key on every call: ${(mean(fresh, (row) => row.cpuMicrosPerRequest) / mean(none, (row) => row.cpuMicrosPerRequest)).toFixed(2)}x the CPU, ` +
    `${(mean(fresh, (row) => row.p50) / mean(none, (row) => row.p50)).toFixed(2)}x the median latency, ` +
    `${(mean(fresh, (row) => row.perSecond) / mean(none, (row) => row.perSecond)).toFixed(2)}x the requests per second of the call without one.`
]
await mkdir(`${here}results`, { recursive: true })
await writeFile(`${here}results/jobs.json`, `${JSON.stringify({ jobRows, keyRows }, null, 2)}\n`)
await writeFile(`${here}results/jobs.md`, `${lines.join("\n")}\n`)
process.stdout.write(`${lines.join("\n")}\n`)
