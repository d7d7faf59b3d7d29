/**
 * Instructions per request, counted by valgrind's callgrind: for comparing two versions of the server when the host's
 * noise (CPU time per request moved by half within minutes here) hides a change of a tenth. Each run starts the
 * server under `valgrind --tool=callgrind` with counting off, sends `--warmup` calls (its JIT must have optimized the
 * request path, which under valgrind takes thousands), counts `--requests` echo calls (the 2026-07-28 form, or
 * `--form 2025` without a session, `--connections` at a time, from this process), and divides every thread's
 * instructions by them. The count is not exact either: a run in whose counted requests V8 runs a mark-compact counts
 * its marking and sweeping too (120-150 thousand more a request at 2,000 requests), so runs land in two modes; compare
 * the lowest of a few runs of each version, run alternately, and read the other mode as such. It counts instructions,
 * not time: a cache miss costs as much as an add.
 *
 *   node bench/instructions.ts [--server bulwark|sdk|bare] [--requests 2000] [--warmup 20000] [--connections 10]
 *                              [--runs 3] [--form 2026|2025] [--top 40]
 *
 * `--top N` names the JIT's code (`--perf-basic-prof`) and prints, for the lowest run, the instructions a request by
 * kind of code and the N functions with the most (see `instructionProfile.ts`).
 */
import { execFileSync, spawn } from "node:child_process"
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { createDatabase, dropDatabases } from "@bulwark/database/testing"
import { generateApiKey } from "@bulwark/identity"
import { nodeFlags } from "@bulwark/server"
import { Redacted } from "effect"
import { report, selfByFunction } from "./instructionProfile.ts"
import { bodyFor, headersFor, statelessBodyFor, statelessHeadersFor } from "./toolCall.ts"

const { values } = parseArgs({
  options: {
    server: { type: "string", default: "bulwark" },
    requests: { type: "string", default: "2000" },
    warmup: { type: "string", default: "20000" },
    connections: { type: "string", default: "10" },
    runs: { type: "string", default: "3" },
    form: { type: "string", default: "2026" },
    top: { type: "string" }
  }
})

const servers: Record<string, { readonly script: string; readonly flags: ReadonlyArray<string> }> = {
  bulwark: { script: "servers/bulwark.ts", flags: nodeFlags },
  sdk: { script: "servers/sdk.ts", flags: [] },
  bare: { script: "servers/bare.ts", flags: [] }
}
const server = servers[values.server]
if (server === undefined) throw new Error(`--server is one of ${Object.keys(servers).join(", ")}`)
const requests = Number(values.requests)
const connections = Number(values.connections)

const apiKey = Redacted.value(generateApiKey().key)
const database = await createDatabase("bench_instructions")
const modern = values.form === "2026"
const headers = modern ? headersFor(apiKey, "echo") : statelessHeadersFor(apiKey)
const body = modern ? bodyFor("echo", { text: "hello" }) : statelessBodyFor("echo", { text: "hello" })

/** Sends `n` calls, `connections` at a time, and checks every answer. */
const drive = async (url: string, n: number) => {
  let left = n
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (left-- > 0) {
        const response = await fetch(url, { method: "POST", headers, body })
        const text = await response.text()
        if (response.status !== 200 || !text.includes("hello")) throw new Error(`answer ${response.status}: ${text}`)
      }
    })
  )
}

const top = values.top === undefined ? undefined : Number(values.top)

/** One run: the server under callgrind, its instructions per counted request (and where they went, with `--top`). */
const run = async (): Promise<{ readonly count: number; readonly profile?: string }> => {
  const out = join(tmpdir(), `bulwark-callgrind-${process.pid}-${Date.now()}`)
  const child = spawn(
    "valgrind",
    [
      "--tool=callgrind",
      "--instr-atstart=no",
      `--callgrind-out-file=${out}.%p`,
      process.execPath,
      ...server.flags,
      // The map names the JIT's code; V8 also writes a log beside it, kept out of the working directory.
      ...(top === undefined ? [] : ["--perf-basic-prof", "--no-logfile-per-isolate", `--logfile=${out}.v8.log`]),
      new URL(server.script, import.meta.url).pathname
    ],
    {
      stdio: ["ignore", "pipe", "ignore"],
      env: { ...process.env, DATABASE_URL: database.url, BULWARK_API_KEY: apiKey, PORT: "0" }
    }
  )
  const port = await new Promise<number>((resolve, reject) => {
    let seen = ""
    child.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk.toString()
      const found = /^(\d+)$/m.exec(seen)?.[1]
      if (found !== undefined) resolve(Number(found))
    })
    child.once("exit", (code) => reject(new Error(`the server exited (${code}) before listening`)))
  })
  const url = `http://127.0.0.1:${port}/mcp`
  const control = (...args: Array<string>) =>
    execFileSync("callgrind_control", [...args, String(child.pid)], { stdio: "pipe" })
  await drive(url, Number(values.warmup))
  control("-i", "on")
  await drive(url, requests)
  control("-i", "off")
  control("-d")
  child.removeAllListeners("exit")
  const exited = new Promise((resolve) => child.once("exit", resolve))
  child.kill("SIGTERM")
  await exited
  let total = 0
  let profile: string | undefined
  const prefix = `${out.slice(tmpdir().length + 1)}.`
  const perfMap = join(tmpdir(), `perf-${child.pid}.map`)
  for (const file of readdirSync(tmpdir()).filter((name) => name.startsWith(prefix))) {
    const path = join(tmpdir(), file)
    const dump = readFileSync(path, "utf8")
    const counted = Number(/^totals: (\d+)/m.exec(dump)?.[1] ?? 0)
    total += counted
    if (top !== undefined && counted > 0 && existsSync(perfMap)) {
      profile = report(selfByFunction(dump, readFileSync(perfMap, "utf8")), requests, top)
    }
    rmSync(path)
  }
  rmSync(perfMap, { force: true })
  return { count: total / requests, ...(profile === undefined ? {} : { profile }) }
}

const counts: Array<number> = []
let lowest: { readonly count: number; readonly profile?: string } | undefined
for (let i = 0; i < Number(values.runs); i++) {
  const result = await run()
  counts.push(result.count)
  if (lowest === undefined || result.count < lowest.count) lowest = result
  console.log(`run ${i + 1}: ${(result.count / 1000).toFixed(1)} k instructions per request`)
}
await dropDatabases()
console.log(
  `${values.server}: lowest ${(Math.min(...counts) / 1000).toFixed(1)} k instructions per request ` +
    `(${requests} requests, ${connections} connections, ${counts.length} runs)`
)
if (lowest?.profile !== undefined) console.log(lowest.profile)
