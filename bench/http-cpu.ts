/**
 * Server CPU time per request, from /proc, for the same tools/call answered by: a bare node:http JSON-RPC handler
 * (the baseline), the MCP SDK alone, and Bulwark as users run it (`BulwarkServer.http`: API key, tenant, guards,
 * audit, logs; on `DATABASE_URL` when set). Reported as ratios against the baseline measured in the same run;
 * requests per second are printed but not compared (they swing on this shared machine).
 *
 *   node bench/http-cpu.ts [--requests 4000] [--concurrency 16] [--rounds 3]
 */
import { type ChildProcess, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { Agent, request as httpRequest } from "node:http"
import { parseArgs } from "node:util"
import { generateApiKey } from "@bulwark/identity"
import { Redacted } from "effect"

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "4000" },
    concurrency: { type: "string", default: "16" },
    rounds: { type: "string", default: "3" }
  }
})
const REQUESTS = Number(values.requests)
const CONCURRENCY = Number(values.concurrency)
const ROUNDS = Number(values.rounds)
const TICKS = 100 // USER_HZ on Linux
/** The API key Bulwark is started with and every request presents (the other servers ignore it). */
const API_KEY = Redacted.value(generateApiKey().key)

interface Variant {
  readonly name: string
  readonly script: string
  readonly era: "modern" | "legacy" | "bare"
}

const variants: ReadonlyArray<Variant> = [
  { name: "bare node:http", script: "servers/bare.ts", era: "bare" },
  { name: "SDK alone (2026-07-28)", script: "servers/sdk.ts", era: "modern" },
  { name: "Bulwark (2026-07-28)", script: "servers/bulwark.ts", era: "modern" },
  { name: "SDK alone (2025 stateless)", script: "servers/sdk.ts", era: "legacy" },
  { name: "Bulwark (2025 stateless)", script: "servers/bulwark.ts", era: "legacy" }
]

const cpuTicks = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return Number(fields[11]) + Number(fields[12]) // utime + stime
}

const start = (script: string): Promise<{ child: ChildProcess; port: number }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [new URL(script, import.meta.url).pathname], {
      stdio: ["ignore", "pipe", "ignore"],
      env: { ...process.env, PORT: "0", BULWARK_API_KEY: API_KEY }
    })
    let seen = ""
    child.stdout!.on("data", (chunk: Buffer) => {
      seen += chunk.toString()
      const port = /^(\d+)$/m.exec(seen)?.[1]
      if (port !== undefined) resolve({ child, port: Number(port) })
    })
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)))
  })

const bodyFor = (era: Variant["era"], id: number) => {
  const params: Record<string, unknown> = { name: "echo", arguments: { text: "hello" } }
  if (era === "modern") {
    params._meta = {
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
      "io.modelcontextprotocol/clientInfo": { name: "bench", version: "1.0.0" },
      "io.modelcontextprotocol/clientCapabilities": {}
    }
  }
  return JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params })
}

const headersFor = (era: Variant["era"], body: string): Record<string, string | number> => ({
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
  "content-length": Buffer.byteLength(body),
  authorization: `Bearer ${API_KEY}`,
  ...(era === "modern" ? { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "echo" } : {}),
  ...(era === "legacy" ? { "mcp-protocol-version": "2025-11-25" } : {})
})

const send = (agent: Agent, port: number, era: Variant["era"], id: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const body = bodyFor(era, id)
    const req = httpRequest(
      { agent, host: "127.0.0.1", port, path: "/mcp", method: "POST", headers: headersFor(era, body) },
      (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (c: Buffer) => chunks.push(c))
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString()
          if (res.statusCode !== 200 || !text.includes("hello"))
            reject(new Error(`bad answer ${res.statusCode}: ${text}`))
          else resolve()
        })
      }
    )
    req.on("error", reject)
    req.end(body)
  })

const load = async (port: number, era: Variant["era"], count: number) => {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  let next = 0
  const worker = async () => {
    while (next < count) await send(agent, port, era, next++)
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  agent.destroy()
}

const measure = async (variant: Variant) => {
  const { child, port } = await start(variant.script)
  try {
    await load(port, variant.era, Math.min(500, REQUESTS)) // warm-up (JIT, lazy schemas)
    const before = cpuTicks(child.pid!)
    const started = performance.now()
    await load(port, variant.era, REQUESTS)
    const seconds = (performance.now() - started) / 1000
    const cpuMicros = ((cpuTicks(child.pid!) - before) / TICKS) * 1e6
    return { cpuPerRequest: cpuMicros / REQUESTS, rps: REQUESTS / seconds }
  } finally {
    child.kill("SIGKILL")
  }
}

const results = new Map<string, Array<{ cpuPerRequest: number; rps: number }>>()
for (let round = 0; round < ROUNDS; round++) {
  for (const variant of variants) {
    const list = results.get(variant.name) ?? []
    list.push(await measure(variant))
    results.set(variant.name, list)
  }
}
const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const baseline = median(results.get("bare node:http")!.map((r) => r.cpuPerRequest))
console.log(`${REQUESTS} requests x ${ROUNDS} rounds, concurrency ${CONCURRENCY}; server CPU per request (median)`)
for (const [name, runs] of results) {
  const cpu = median(runs.map((r) => r.cpuPerRequest))
  const rps = median(runs.map((r) => r.rps))
  console.log(
    `${name.padEnd(28)} ${cpu.toFixed(0).padStart(6)} µs/req  ${(cpu / baseline).toFixed(1).padStart(5)}x baseline  ${rps.toFixed(0).padStart(6)} req/s`
  )
}
