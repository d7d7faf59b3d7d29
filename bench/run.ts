/**
 * `pnpm bench`: the same `tools/call` of a trivial echo tool answered, one server at a time in one run, by
 *
 * - a bare `node:http` JSON-RPC handler (the floor),
 * - the official SDK v2 as its users run it (`createMcpHandler`, default options, with `toNodeHandler` on `node:http`),
 * - Bulwark as users run it (`BulwarkServer.http`: API key, tenant allow-list, rate and concurrency limits that never
 *   refuse, validation, deadlines, load shedding, metrics, audit rows written to PostgreSQL, JSON logs at the
 *   default level, one span per request with no exporter configured),
 *
 * in both request forms (2026-07-28; 2025 without a session) at 10 and 50 connections, driven by `autocannon` in a
 * process of its own (`load.ts`). For each it records the server's CPU time per request (utime + stime from
 * `/proc/<pid>/stat` over the measured window: steady where requests per second swing), requests per second, p50/p99
 * latency and RSS, and the ratios to the SDK measured in the same run. The servers take turns `--passes` times (each
 * pass starts and stops every server again; a server just started first answers `--settle` seconds of calls in both
 * forms at the most connections, unmeasured, so that its rows see the code its JIT settles on rather than the code
 * it is still compiling), and each server's row is its pass with the least CPU per request: the
 * host's noise only ever adds time, and a slow spell during one server's turn no longer decides the ratios (every
 * pass's CPU figure is printed beside it). Three passes by default: the host's slow spells last minutes; with two,
 * Bulwark's 2026-07-28 row at 10 connections was 153-212 µs at best in four runs on 2026-12-02, where the same
 * measurement repeated in one process minutes apart gave 97-169. Then the spike: Bulwark at 50 connections, then
 * 500 for a while (admitted requests' latency, refusals, RSS), then 50 again (recovery); and the floor under the
 * same load, for what the load alone does to latency (500 clients that resend the moment they are answered).
 *
 * Writes `results/latest.json`, `results/latest.md` (the tables) and `results/latest.svg` (the ratios), and prints
 * the tables. PostgreSQL: `DATABASE_URL` when set, else a fresh database on the local server, dropped afterwards.
 *
 *   node bench/run.ts [--seconds 10] [--warmup 3] [--settle 10] [--connections 10,50] [--passes 3]
 *                     [--spike-seconds 10] [--no-spike]
 *                     [--servers "bare node:http,official SDK,Bulwark"]   (add "Bulwark embedded" to include it)
 */
import { mkdir, writeFile } from "node:fs/promises"
import { parseArgs } from "node:util"
import { createDatabase, dropDatabases } from "@bulwark/database/testing"
import { generateApiKey } from "@bulwark/identity"
import { nodeFlags } from "@bulwark/server"
import { Redacted } from "effect"
import type { LoadResult } from "./load.ts"
import {
  cpuTicks,
  load as loadJob,
  memory,
  type Running,
  startServer,
  stopServer,
  TICKS_PER_SECOND
} from "./processes.ts"
import { bodyFor, headersFor, statelessBodyFor, statelessHeadersFor } from "./toolCall.ts"

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    warmup: { type: "string", default: "3" },
    settle: { type: "string", default: "10" },
    connections: { type: "string", default: "10,50" },
    passes: { type: "string", default: "3" },
    "spike-seconds": { type: "string", default: "10" },
    "no-spike": { type: "boolean", default: false },
    servers: { type: "string", default: "bare node:http,official SDK,Bulwark" }
  }
})
const SECONDS = Number(values.seconds)
const WARMUP = Number(values.warmup)
const SETTLE = Number(values.settle)
const CONNECTIONS = values.connections.split(",").map(Number)
const SPIKE_SECONDS = Number(values["spike-seconds"])
const PASSES = Math.max(1, Number(values.passes))
const here = new URL(".", import.meta.url).pathname
const API_KEY = Redacted.value(generateApiKey().key)

type Form = "2026-07-28" | "2025 stateless"
const FORMS: ReadonlyArray<Form> = ["2026-07-28", "2025 stateless"]
type ServerName = "bare node:http" | "official SDK" | "Bulwark" | "Bulwark embedded"
/**
 * How each is started: the SDK and the floor on plain `node`, Bulwark with the flags `pnpm start` gives it, on the
 * local PostgreSQL or (`Bulwark embedded`, only when named in `--servers`) on an in-memory embedded database.
 */
const SERVERS: ReadonlyArray<{
  readonly name: ServerName
  readonly script: string
  readonly flags: ReadonlyArray<string>
  readonly embedded?: true
}> = [
  { name: "bare node:http", script: "servers/bare.ts", flags: [] },
  { name: "official SDK", script: "servers/sdk.ts", flags: [] },
  { name: "Bulwark", script: "servers/bulwark.ts", flags: nodeFlags },
  { name: "Bulwark embedded", script: "servers/bulwark.ts", flags: nodeFlags, embedded: true }
]

// ---------------------------------------------------------------------------------------------------------------
// The request, in both forms.

const request = (form: Form, text: string) =>
  form === "2026-07-28"
    ? { body: bodyFor("echo", { text }), headers: headersFor(API_KEY, "echo") }
    : { body: statelessBodyFor("echo", { text }), headers: statelessHeadersFor(API_KEY) }

// ---------------------------------------------------------------------------------------------------------------
// Processes: the server under test, the load generator, and what /proc says about the server (see processes.ts).

const load = (port: number, form: Form, connections: number, seconds: number): Promise<LoadResult> => {
  const text = "hello from the benchmark"
  return loadJob({ url: `http://127.0.0.1:${port}/mcp`, ...request(form, text), connections, seconds, expect: text })
}

// ---------------------------------------------------------------------------------------------------------------
// Measurements.

interface Measurement {
  readonly pass: number
  readonly server: ServerName
  readonly form: Form
  readonly connections: number
  readonly cpuMicrosPerRequest: number
  readonly perSecond: number
  readonly p50: number
  readonly p99: number
  readonly rssMiB: number
  readonly statuses: Record<string, number>
}

const measure = async (pass: number, server: ServerName, running: Running, form: Form, connections: number) => {
  await load(running.port, form, connections, WARMUP)
  const before = await cpuTicks(running.child.pid ?? 0)
  const result = await load(running.port, form, connections, SECONDS)
  const after = await cpuTicks(running.child.pid ?? 0)
  const { rss } = await memory(running.child.pid ?? 0)
  const non200 = Object.entries(result.statuses).filter(([status]) => status !== "200")
  if (non200.length > 0 || result.errors > 0) {
    throw new Error(`${server}, ${form}, ${connections} connections: answers ${JSON.stringify(result.statuses)}`)
  }
  const measurement: Measurement = {
    pass,
    server,
    form,
    connections,
    cpuMicrosPerRequest: (((after - before) / TICKS_PER_SECOND) * 1e6) / result.requests,
    perSecond: result.perSecond,
    p50: result.ok.p50,
    p99: result.ok.p99,
    rssMiB: rss,
    statuses: result.statuses
  }
  process.stderr.write(
    `pass ${pass} ${server.padEnd(15)} ${form.padEnd(15)} ${String(connections).padStart(3)} conns: ${measurement.cpuMicrosPerRequest.toFixed(0).padStart(5)} µs/req ${measurement.perSecond.toFixed(0).padStart(6)} req/s p99 ${fixed(measurement.p99, 1)} ms rss ${rss.toFixed(0)} MiB\n`
  )
  return measurement
}

/**
 * Calls a server just started answers before its first measurement, unmeasured: `SETTLE` seconds split between the
 * forms, at the most connections. Right after start-up its JIT is still optimizing the request path (hundreds of
 * functions in Bulwark's first seconds under load, with V8's compiler threads busy beside them): a row measured then
 * says how fast a server warms up, not what a call costs it.
 */
const settle = async (running: Running) => {
  if (SETTLE <= 0) return
  for (const form of FORMS) await load(running.port, form, Math.max(...CONNECTIONS), SETTLE / FORMS.length)
}

interface Spike {
  readonly unloaded: LoadResult
  readonly spike: LoadResult
  readonly recovery: LoadResult
  readonly peakRssMiB: number
  readonly rssAfterMiB: number
  readonly healthzDuringSpike: { readonly answered: number; readonly failed: number; readonly p99: number }
}

/** Polls `/healthz` every 100 ms while `during` runs. */
const watchHealth = async (port: number, during: Promise<unknown>) => {
  const times: Array<number> = []
  let failed = 0
  let done = false
  const stop = () => {
    done = true
  }
  // The caller awaits `during` itself (and sees its failure); here it only ends the polling.
  during.then(stop, stop)
  while (!done) {
    const started = performance.now()
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) })
      if (response.status === 200) times.push(performance.now() - started)
      else failed += 1
    } catch {
      failed += 1
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  times.sort((a, b) => a - b)
  return { answered: times.length, failed, p99: times[Math.floor(times.length * 0.99)] ?? 0 }
}

const spikeOf = async (running: Running, baseConnections: number): Promise<Spike> => {
  const pid = running.child.pid ?? 0
  const form: Form = "2026-07-28"
  await load(running.port, form, baseConnections, WARMUP)
  const unloaded = await load(running.port, form, baseConnections, SECONDS)
  let peak = 0
  const sampling = setInterval(() => {
    void memory(pid).then(({ rss }) => {
      peak = Math.max(peak, rss)
    })
  }, 200)
  const spiking = load(running.port, form, baseConnections * 10, SPIKE_SECONDS)
  const healthzDuringSpike = await watchHealth(running.port, spiking)
  const spike = await spiking
  clearInterval(sampling)
  const recovery = await load(running.port, form, baseConnections, Math.max(3, Math.round(SECONDS / 2)))
  return { unloaded, spike, recovery, peakRssMiB: peak, rssAfterMiB: (await memory(pid)).rss, healthzDuringSpike }
}

/**
 * The floor under the spike's load: what ten times the clients does to the latency of a server that only answers (it
 * refuses nothing). Under a closed loop every client resends the moment it is answered, so the wait of every request
 * grows with the clients over the answers a second the machine can make, load generator included.
 */
interface FloorSpike {
  readonly unloaded: LoadResult
  readonly spike: LoadResult
}

const floorSpikeOf = async (running: Running, baseConnections: number): Promise<FloorSpike> => {
  const form: Form = "2026-07-28"
  await load(running.port, form, baseConnections, WARMUP)
  const unloaded = await load(running.port, form, baseConnections, SECONDS)
  const spike = await load(running.port, form, baseConnections * 10, SPIKE_SECONDS)
  return { unloaded, spike }
}

// ---------------------------------------------------------------------------------------------------------------
// Reporting.

const ratio = (a: number, b: number) => (b === 0 ? Number.NaN : a / b)
const fixed = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "-")

/** A server's passes at one form and number of connections. */
const passesOf = (measurements: ReadonlyArray<Measurement>, server: ServerName, form: Form, connections: number) =>
  measurements.filter((m) => m.server === server && m.form === form && m.connections === connections)

/** The measurements a row reports: each server's pass with the least CPU per request, for each form and connections. */
const bestOf = (measurements: ReadonlyArray<Measurement>): Array<Measurement> =>
  FORMS.flatMap((form) =>
    CONNECTIONS.flatMap((connections) =>
      SERVERS.flatMap(({ name }) => {
        const passes = passesOf(measurements, name, form, connections)
        return passes.length === 0
          ? []
          : [passes.reduce((best, m) => (m.cpuMicrosPerRequest < best.cpuMicrosPerRequest ? m : best))]
      })
    )
  )

/** Every pass's CPU figure of a row, in pass order. */
const passFigures = (measurements: ReadonlyArray<Measurement>, server: ServerName, form: Form, connections: number) =>
  passesOf(measurements, server, form, connections)
    .map((pass) => fixed(pass.cpuMicrosPerRequest))
    .join(", ")

/** The table: a row per server's best pass (`best`), with every pass's CPU figure from `measurements` beside it. */
const tableOf = (best: ReadonlyArray<Measurement>, measurements: ReadonlyArray<Measurement>) => {
  const find = (server: ServerName, form: Form, connections: number) =>
    best.find((m) => m.server === server && m.form === form && m.connections === connections)
  const lines = [
    "| request form | conns | server | CPU µs/req | each pass | req/s | p50 ms | p99 ms | RSS MiB | CPU vs SDK | req/s vs SDK |",
    "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  ]
  for (const form of FORMS) {
    for (const connections of CONNECTIONS) {
      const sdk = find("official SDK", form, connections)
      for (const { name } of SERVERS) {
        const m = find(name, form, connections)
        if (m === undefined) continue
        lines.push(
          `| ${form} | ${connections} | ${name} | ${fixed(m.cpuMicrosPerRequest)} | ${passFigures(measurements, name, form, connections)} | ${fixed(m.perSecond)} | ${fixed(m.p50, 1)} | ${fixed(m.p99, 1)} | ${fixed(m.rssMiB)} | ${sdk === undefined ? "-" : `${fixed(ratio(m.cpuMicrosPerRequest, sdk.cpuMicrosPerRequest), 2)}x`} | ${sdk === undefined ? "-" : `${fixed(ratio(m.perSecond, sdk.perSecond), 2)}x`} |`
        )
      }
    }
  }
  return lines.join("\n")
}

const spikeTable = (spike: Spike, base: number) =>
  [
    "| phase | conns | req/s | admitted | admitted p50 ms | admitted p99 ms | after 1 s: p99 ms | refused (503) | refused p99 ms |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...(
      [
        ["unloaded", base, spike.unloaded],
        ["spike", base * 10, spike.spike],
        ["recovery", base, spike.recovery]
      ] as const
    ).map(
      ([phase, conns, r]) =>
        `| ${phase} | ${conns} | ${fixed(r.perSecond)} | ${r.ok.count} | ${fixed(r.ok.p50, 1)} | ${fixed(r.ok.p99, 1)} | ${fixed(r.okAfterFirstSecond.p99, 1)} | ${r.refused?.count ?? 0} | ${r.refused === undefined ? "-" : fixed(r.refused.p99, 1)} |`
    ),
    "",
    `Admitted p99 during the spike: ${fixed(ratio(spike.spike.ok.p99, spike.unloaded.ok.p99), 1)}x the unloaded p99 ` +
      `(${fixed(ratio(spike.spike.okAfterFirstSecond.p99, spike.unloaded.ok.p99), 1)}x after the first second, once the new connections are open). ` +
      `RSS peak ${fixed(spike.peakRssMiB)} MiB, ${fixed(spike.rssAfterMiB)} MiB after. ` +
      `/healthz during the spike: ${spike.healthzDuringSpike.answered} answered (p99 ${fixed(spike.healthzDuringSpike.p99)} ms), ${spike.healthzDuringSpike.failed} failed.`
  ].join("\n")

/** Bars of Bulwark's and the floor's CPU and req/s relative to the SDK (1.0), per form and connections. */
const chartOf = (measurements: ReadonlyArray<Measurement>) => {
  const groups: Array<{ label: string; bars: Array<{ name: string; value: number; color: string }> }> = []
  for (const form of FORMS) {
    for (const connections of CONNECTIONS) {
      const of = (server: ServerName) =>
        measurements.find((m) => m.server === server && m.form === form && m.connections === connections)
      const sdk = of("official SDK")
      const bulwark = of("Bulwark")
      const bare = of("bare node:http")
      if (sdk === undefined || bulwark === undefined || bare === undefined) continue
      groups.push({
        label: `${form}, ${connections} conns`,
        bars: [
          { name: "Bulwark CPU", value: ratio(bulwark.cpuMicrosPerRequest, sdk.cpuMicrosPerRequest), color: "#c0392b" },
          { name: "Bulwark req/s", value: ratio(bulwark.perSecond, sdk.perSecond), color: "#2e86c1" },
          { name: "bare CPU", value: ratio(bare.cpuMicrosPerRequest, sdk.cpuMicrosPerRequest), color: "#e6b0aa" },
          { name: "bare req/s", value: ratio(bare.perSecond, sdk.perSecond), color: "#aed6f1" }
        ]
      })
    }
  }
  const max = Math.max(1.5, ...groups.flatMap((g) => g.bars.map((b) => b.value)).filter(Number.isFinite))
  const width = 160 * groups.length + 80
  const height = 320
  const y = (v: number) => 260 - (v / max) * 220
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11" role="img" aria-labelledby="title">`,
    `<title id="title">Bulwark and a bare node:http server relative to the official SDK: CPU per request and requests per second</title>`,
    `<text x="10" y="16" font-size="13">Relative to the official SDK (1.0 = the SDK; CPU: lower is better, req/s: higher is better)</text>`,
    `<line x1="50" x2="${width - 10}" y1="${y(1)}" y2="${y(1)}" stroke="#555" stroke-dasharray="4"/>`,
    `<text x="10" y="${y(1) + 4}">1.0</text>`
  ]
  groups.forEach((group, g) => {
    const x0 = 60 + g * 160
    group.bars.forEach((bar, b) => {
      const value = Number.isFinite(bar.value) ? bar.value : 0
      parts.push(
        `<rect x="${x0 + b * 34}" y="${y(value)}" width="30" height="${260 - y(value)}" fill="${bar.color}"><title>${bar.name}: ${value.toFixed(2)}</title></rect>`,
        `<text x="${x0 + b * 34}" y="${y(value) - 3}">${value.toFixed(2)}</text>`
      )
    })
    parts.push(`<text x="${x0}" y="280">${group.label}</text>`)
  })
  const legend = ["#c0392b Bulwark CPU", "#2e86c1 Bulwark req/s", "#e6b0aa bare CPU", "#aed6f1 bare req/s"]
  legend.forEach((entry, i) => {
    const [color, ...name] = entry.split(" ")
    parts.push(
      `<rect x="${60 + i * 140}" y="298" width="10" height="10" fill="${color}"/>`,
      `<text x="${74 + i * 140}" y="307">${name.join(" ")}</text>`
    )
  })
  parts.push("</svg>")
  return parts.join("\n")
}

// ---------------------------------------------------------------------------------------------------------------
// The run.

const databaseUrl = process.env.DATABASE_URL ?? (await createDatabase("bench")).url
const env = { DATABASE_URL: databaseUrl, BULWARK_API_KEY: API_KEY }

const measurements: Array<Measurement> = []
const startups: Record<string, Array<number>> = {}
let spike: Spike | undefined
let floorSpike: FloorSpike | undefined
try {
  for (let pass = 1; pass <= PASSES; pass++) {
    for (const { name, script, flags, embedded } of SERVERS.filter((server) =>
      values.servers.split(",").includes(server.name)
    )) {
      const running = await startServer(script, flags, embedded ? { ...env, DATABASE_URL: "" } : env)
      startups[name] = [...(startups[name] ?? []), running.startupMs]
      try {
        await settle(running)
        for (const form of FORMS) {
          for (const connections of CONNECTIONS) {
            measurements.push(await measure(pass, name, running, form, connections))
          }
        }
        // The spike once, in the last pass.
        if (name === "Bulwark" && pass === PASSES && !values["no-spike"]) {
          spike = await spikeOf(running, Math.max(...CONNECTIONS))
        }
        if (name === "bare node:http" && pass === PASSES && !values["no-spike"]) {
          floorSpike = await floorSpikeOf(running, Math.max(...CONNECTIONS))
        }
      } finally {
        await stopServer(running)
      }
    }
  }
} finally {
  if (process.env.DATABASE_URL === undefined) await dropDatabases()
}

const base = Math.max(...CONNECTIONS)
const best = bestOf(measurements)
const markdown = [
  `Run ${new Date().toISOString()}: ${SECONDS} s per measurement after ${WARMUP} s of warm-up (and ${SETTLE} s of ` +
    `calls after each start), ${PASSES} passes ` +
    `(each row: the server's pass with the least CPU), Node ${process.version}, load from autocannon in its own ` +
    `process. Startup to listening: ${Object.entries(startups)
      .map(([name, ms]) => `${name} ${ms.map((one) => fixed(one)).join("/")} ms`)
      .join(", ")}.`,
  "",
  tableOf(best, measurements),
  ...(spike === undefined
    ? []
    : ["", `Spike (Bulwark, ${base} → ${base * 10} → ${base} connections):`, "", spikeTable(spike, base)]),
  ...(floorSpike === undefined
    ? []
    : [
        "",
        `The floor under the same load (a server that only answers, refusing nothing): p99 ${fixed(floorSpike.unloaded.ok.p99, 1)} ms at ` +
          `${base} connections, ${fixed(floorSpike.spike.ok.p99, 1)} ms at ${base * 10} ` +
          `(${fixed(ratio(floorSpike.spike.ok.p99, floorSpike.unloaded.ok.p99), 1)}x; ` +
          `${fixed(floorSpike.unloaded.perSecond)} and ${fixed(floorSpike.spike.perSecond)} req/s).`
      ])
].join("\n")
await mkdir(`${here}results`, { recursive: true })
await writeFile(
  `${here}results/latest.json`,
  `${JSON.stringify({ date: new Date().toISOString(), seconds: SECONDS, warmup: WARMUP, passes: PASSES, startups, best, measurements, spike, floorSpike }, null, 2)}\n`
)
await writeFile(`${here}results/latest.md`, `${markdown}\n`)
await writeFile(`${here}results/latest.svg`, `${chartOf(best)}\n`)
process.stdout.write(`${markdown}\n`)
