/**
 * Instructions per request, counted by valgrind's callgrind: for comparing two versions of the server when the host's
 * noise (CPU time per request moved by half within minutes here) hides a change of a tenth. Each run starts the
 * server under `valgrind --tool=callgrind` with counting off, sends a warm-up, counts `--requests` echo calls (the
 * 2026-07-28 form, or `--form 2025` without a session, `--connections` at a time, from this process), and divides every thread's instructions by them.
 * The count is not exact either: runs of one version land in two modes about a fifth apart (the JIT's timing under
 * valgrind decides which), so compare the lowest of a few runs of each version, run alternately, and read the
 * other mode as such. It counts instructions, not time: a cache miss costs as much as an add.
 *
 *   node bench/instructions.ts [--server bulwark|sdk|bare] [--requests 2000] [--connections 10] [--runs 3] [--form 2026|2025]
 */
import { execFileSync, spawn } from "node:child_process"
import { readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { createDatabase, dropDatabases } from "@bulwark/database/testing"
import { generateApiKey } from "@bulwark/identity"
import { nodeFlags } from "@bulwark/server"
import { Redacted } from "effect"
import { bodyFor, headersFor, statelessBodyFor, statelessHeadersFor } from "./toolCall.ts"

const { values } = parseArgs({
  options: {
    server: { type: "string", default: "bulwark" },
    requests: { type: "string", default: "2000" },
    connections: { type: "string", default: "10" },
    runs: { type: "string", default: "3" },
    form: { type: "string", default: "2026" }
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

/** One run: the server under callgrind, its instructions per counted request. */
const run = async (): Promise<number> => {
  const out = join(tmpdir(), `bulwark-callgrind-${process.pid}-${Date.now()}`)
  const child = spawn(
    "valgrind",
    [
      "--tool=callgrind",
      "--instr-atstart=no",
      `--callgrind-out-file=${out}.%p`,
      process.execPath,
      ...server.flags,
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
  await drive(url, 3000)
  control("-i", "on")
  await drive(url, requests)
  control("-i", "off")
  control("-d")
  child.removeAllListeners("exit")
  const exited = new Promise((resolve) => child.once("exit", resolve))
  child.kill("SIGTERM")
  await exited
  let total = 0
  const prefix = `${out.slice(tmpdir().length + 1)}.`
  for (const file of readdirSync(tmpdir()).filter((name) => name.startsWith(prefix))) {
    const path = join(tmpdir(), file)
    total += Number(/^totals: (\d+)/m.exec(readFileSync(path, "utf8"))?.[1] ?? 0)
    rmSync(path)
  }
  return total / requests
}

const counts: Array<number> = []
for (let i = 0; i < Number(values.runs); i++) {
  const count = await run()
  counts.push(count)
  console.log(`run ${i + 1}: ${(count / 1000).toFixed(1)} k instructions per request`)
}
await dropDatabases()
console.log(
  `${values.server}: lowest ${(Math.min(...counts) / 1000).toFixed(1)} k instructions per request ` +
    `(${requests} requests, ${connections} connections, ${counts.length} runs)`
)
