/**
 * Where a full-pipeline `tools/call` spends its CPU: Bulwark as `pnpm bench` runs it, under `--cpu-prof`, driven at
 * 50 connections for a while in the 2026-07-28 form, then stopped; prints the functions with the most self time
 * (per request, in µs) and where the profile is, for Chrome DevTools or `speedscope`. Profile before optimizing.
 *
 *   node bench/profile.ts [--seconds 10] [--connections 50] [--top 40] [--form 2026|2025]
 */
import { mkdtemp, readdir, readFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { createDatabase, dropDatabases } from "@bulwark/database/testing"
import { generateApiKey } from "@bulwark/identity"
import { nodeFlags } from "@bulwark/server"
import { Redacted } from "effect"
import { load, startServer, stopServer } from "./processes.ts"
import { bodyFor, headersFor, statelessBodyFor, statelessHeadersFor } from "./toolCall.ts"

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "50" },
    top: { type: "string", default: "40" },
    form: { type: "string", default: "2026" }
  }
})

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
}
interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

const apiKey = Redacted.value(generateApiKey().key)
const database = await createDatabase("bench_profile")
const dir = await mkdtemp(join(tmpdir(), "bulwark-profile-"))
const running = await startServer("servers/bulwark.ts", [...nodeFlags, "--cpu-prof", `--cpu-prof-dir=${dir}`], {
  DATABASE_URL: database.url,
  BULWARK_API_KEY: apiKey
})
const args = { text: "hello" }
const modern = values.form === "2026"
const headers = modern ? headersFor(apiKey, "echo") : statelessHeadersFor(apiKey)
const body = modern ? bodyFor("echo", args) : statelessBodyFor("echo", args)
const job = {
  url: `http://127.0.0.1:${running.port}/mcp`,
  headers,
  body,
  connections: Number(values.connections),
  expect: "hello"
}
await load({ ...job, seconds: 3 })
const measured = await load({ ...job, seconds: Number(values.seconds) })
await stopServer(running)
await dropDatabases()

const file = (await readdir(dir)).find((name) => name.endsWith(".cpuprofile"))
if (file === undefined) throw new Error(`no profile in ${dir}`)
const profile = JSON.parse(await readFile(join(dir, file), "utf8")) as Profile
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const self = new Map<string, number>()
let total = 0
profile.samples.forEach((id, i) => {
  const node = byId.get(id)
  const delta = profile.timeDeltas[i] ?? 0
  total += delta
  if (node === undefined) return
  const { functionName, url, lineNumber } = node.callFrame
  const where =
    url === ""
      ? ""
      : ` ${url.replace(/^.*\/node_modules\/\.pnpm\/[^/]+\/node_modules\//, "").replace(/^file:\/\/.*\/work\/main\//, "")}:${lineNumber + 1}`
  const key = `${functionName || "(anonymous)"}${where}`
  self.set(key, (self.get(key) ?? 0) + delta)
})
// Everything the process did while profiled (warm-up and idle included), spread over the measured requests.
const requests = measured.requests
console.log(`profile: ${join(dir, file)} (${(total / 1e6).toFixed(1)} s sampled; ${requests} measured requests)`)
for (const [key, micros] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
  console.log(`${(micros / requests).toFixed(1).padStart(7)} µs/req  ${key}`)
}
