/**
 * The first API key of a fresh server, as a container runs it (stderr not a terminal): it belongs to the first
 * tenant the configuration declares, it never appears in the log stream, and it is in `<dataDir>/bootstrap-api-key`
 * with mode 0600, where it works. On a terminal it is a banner instead. A `bootstrapTenant` that names no declared
 * tenant is a configuration error.
 */
import { spawn } from "node:child_process"
import { readFile, stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { afterAll, beforeAll, expect, it } from "vitest"
import { nodeBin, serverMain } from "./support/paths.ts"
import { baseEnv, runServerToExit, startServer, stopAllServers } from "./support/server.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"
import { callAs } from "./support/tenantKeys.ts"

let dir: string

beforeAll(async () => {
  dir = await makeTempDir("bootstrap-key")
})

afterAll(async () => {
  await stopAllServers()
  await removeTempDirs()
})

it("goes to the first declared tenant, into a 0600 file and never into the logs", async () => {
  const file = join(dir, "bulwark.yaml")
  await writeFile(
    file,
    [
      "dataDir: ./data",
      "plugins:",
      "  tickets: { seedDemoData: [acme] }",
      "tenancy:",
      "  tenants:",
      "    - { id: acme, name: Acme, tools: ['*'] }",
      "    - { id: globex, name: Globex, tools: ['*'] }",
      ""
    ].join("\n")
  )
  const server = await startServer({ args: ["--in-memory", "--config", file], env: { BULWARK_API_KEY: "" }, cwd: dir })
  const keyFile = join(dir, "data", "bootstrap-api-key")
  const key = (await readFile(keyFile, "utf8")).trim()
  expect(key).toMatch(/^bwk_[0-9a-f]{16}_/)
  expect((await stat(keyFile)).mode & 0o777).toBe(0o600)
  expect(server.stderr()).not.toContain(key)
  // The secret is everything after `bwk_<key id>_`: base64url, so it may itself contain `_`.
  const secret = key.slice("bwk_".length + 16 + 1)
  expect(secret).toHaveLength(43)
  expect(server.stderr()).not.toContain(secret)
  expect(server.stderr()).toContain(`The first API key (tenant \\"acme\\") is in ${keyFile}`)
  // The key works, as acme's: acme's demo users are there.
  const answer = await callAs(server.mcpUrl, key, "tools/call", {
    name: "fetch_user",
    arguments: { email: "ada@example.com" }
  })
  expect(answer.status).toBe(200)
  expect((answer.message.result as { structuredContent?: { name?: string } }).structuredContent?.name).toBe(
    "Ada Lovelace"
  )
})

it("refuses a bootstrapTenant the configuration does not declare", async () => {
  const file = join(dir, "unknown-tenant.yaml")
  await writeFile(
    file,
    "http: { port: 0 }\nbootstrapTenant: initech\ntenancy:\n  tenants:\n    - { id: acme, name: Acme }\n"
  )
  const run = await runServerToExit(["--in-memory", "--config", file], {}, dir)
  expect(run.code).toBe(2)
  expect(run.stderr).toContain('  - bootstrapTenant: "initech" is not a tenant of tenancy.tenants (acme)')
})

it("is shown once as a banner when stderr is a terminal", async () => {
  // `script` (util-linux) runs the server on a pseudo-terminal, as an operator's shell would.
  const dataDir = join(dir, "tty-data")
  const command = `${nodeBin} ${serverMain} --in-memory`
  const child = spawn("script", ["-q", "-e", "-c", command, "/dev/null"], {
    cwd: dir,
    env: baseEnv({ BULWARK_API_KEY: "", BULWARK_DATA_DIR: dataDir, PORT: "0" }),
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8")
  })
  const deadline = Date.now() + 60_000
  while (!output.includes("Bulwark listening") && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  child.kill("SIGTERM")
  await new Promise((resolve) => child.once("close", resolve))
  expect(output).toContain('Bulwark created an API key for tenant "default". It is shown only this once:')
  expect(output).toMatch(/\n {4}bwk_[0-9a-f]{16}_[A-Za-z0-9_-]+\r?\n/)
  await expect(stat(join(dataDir, "bootstrap-api-key"))).rejects.toThrow()
}, 90_000)
