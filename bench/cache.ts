/**
 * `pnpm bench:cache`: what declared caching saves on a database-bound tool. The bundled server with its tickets plugin
 * answers the same `get_ticket` (2026-07-28 form) with the cache off, then on (every call after the first an
 * in-process hit), then with nothing kept in process so that every hit comes from Redis (`REDIS_URL`, default the
 * local one), and last with the cache off and every call carrying the same idempotency key (a replay of the stored
 * result from PostgreSQL after the first), on a fresh database of the local PostgreSQL; for each, the server's CPU per request (from `/proc`),
 * requests per second and latency, at 10 connections, with the ratios to the uncached call in the same run.
 *
 *   node bench/cache.ts [--seconds 10] [--warmup 3] [--connections 10]
 */
import { mkdir, writeFile } from "node:fs/promises"
import { parseArgs } from "node:util"
import { createDatabase, dropDatabases } from "@bulwark/database/testing"
import { generateApiKey } from "@bulwark/identity"
import { nodeFlags } from "@bulwark/server"
import { Redacted } from "effect"
import { cpuTicks, load, memory, type Running, startServer, stopServer, TICKS_PER_SECOND } from "./processes.ts"
import { bodyFor, headersFor as toolCallHeaders } from "./toolCall.ts"

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    warmup: { type: "string", default: "3" },
    connections: { type: "string", default: "10" }
  }
})
const SECONDS = Number(values.seconds)
const WARMUP = Number(values.warmup)
const CONNECTIONS = Number(values.connections)
const API_KEY = Redacted.value(generateApiKey().key)
const here = new URL(".", import.meta.url).pathname

/** The headers of a call of `name` with this run's API key. */
const headersFor = (name: string, extra: Record<string, string> = {}) => toolCallHeaders(API_KEY, name, extra)

interface Row {
  readonly cache: "off" | "on" | "l2" | "key"
  readonly cpuMicrosPerRequest: number
  readonly perSecond: number
  readonly p50: number
  readonly p99: number
  readonly rssMiB: number
}

/** A ticket to read: created once through MCP. */
const createTicket = async (port: number): Promise<number> => {
  const response = await fetch(`http://127.0.0.1:${port}/mcp`, {
    method: "POST",
    headers: headersFor("create_ticket"),
    body: bodyFor("create_ticket", { title: "Printer on fire", reporterId: 1 })
  })
  const message = (await response.json()) as { result: { structuredContent: { id: number } } }
  return message.result.structuredContent.id
}

const measure = async (cache: Row["cache"], running: Running, ticket: number): Promise<Row> => {
  const job = {
    url: `http://127.0.0.1:${running.port}/mcp`,
    // "key": the cache off, every call with the same idempotency key: after the first, each is a replay from PostgreSQL.
    headers: headersFor("get_ticket", cache === "key" ? { "idempotency-key": "bench-replay" } : {}),
    body: bodyFor("get_ticket", { id: ticket }),
    connections: CONNECTIONS,
    expect: "Printer on fire"
  }
  await load({ ...job, seconds: WARMUP })
  const pid = running.child.pid ?? 0
  const before = await cpuTicks(pid)
  const result = await load({ ...job, seconds: SECONDS })
  const after = await cpuTicks(pid)
  const non200 = Object.entries(result.statuses).filter(([status]) => status !== "200")
  if (non200.length > 0 || result.errors > 0)
    throw new Error(`cache ${cache}: answers ${JSON.stringify(result.statuses)}`)
  const row: Row = {
    cache,
    cpuMicrosPerRequest: (((after - before) / TICKS_PER_SECOND) * 1e6) / result.requests,
    perSecond: result.perSecond,
    p50: result.ok.p50,
    p99: result.ok.p99,
    rssMiB: (await memory(pid)).rss
  }
  process.stderr.write(`cache ${cache}: ${JSON.stringify(row)}\n`)
  return row
}

const database = await createDatabase("bench_cache")
const rows: Array<Row> = []
try {
  for (const cache of ["off", "on", "l2", "key"] as const) {
    const running = await startServer("servers/tickets.ts", nodeFlags, {
      DATABASE_URL: database.url,
      BULWARK_API_KEY: API_KEY,
      BENCH_CACHE: cache === "key" ? "off" : cache,
      REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379"
    })
    try {
      rows.push(await measure(cache, running, await createTicket(running.port)))
    } finally {
      await stopServer(running)
    }
  }
} finally {
  await dropDatabases()
}

const [off, on] = rows as [Row, Row, Row, Row]
const lines = [
  `Run ${new Date().toISOString()}: get_ticket (2026-07-28), ${CONNECTIONS} connections, ${SECONDS} s after ${WARMUP} s of warm-up.`,
  "",
  "| cache | CPU µs/req | req/s | p50 ms | p99 ms | RSS MiB | CPU vs uncached | req/s vs uncached |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...rows.map(
    (row) =>
      `| ${row.cache} | ${row.cpuMicrosPerRequest.toFixed(0)} | ${row.perSecond.toFixed(0)} | ${row.p50.toFixed(1)} | ${row.p99.toFixed(1)} | ${row.rssMiB.toFixed(0)} | ${(row.cpuMicrosPerRequest / off.cpuMicrosPerRequest).toFixed(2)}x | ${(row.perSecond / off.perSecond).toFixed(2)}x |`
  )
]
await mkdir(`${here}results`, { recursive: true })
await writeFile(
  `${here}results/cache.json`,
  `${JSON.stringify({ rows, cpuRatio: on.cpuMicrosPerRequest / off.cpuMicrosPerRequest }, null, 2)}\n`
)
await writeFile(`${here}results/cache.md`, `${lines.join("\n")}\n`)
process.stdout.write(`${lines.join("\n")}\n`)
