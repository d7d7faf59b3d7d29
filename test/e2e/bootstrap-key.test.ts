/**
 * The first API key of a fresh server, as a container runs it (stderr not a terminal): it belongs to the first
 * tenant the configuration declares, it never appears in the log stream, and it is in `<dataDir>/bootstrap-api-key`
 * with mode 0600, where it works. A `bootstrapTenant` that names no declared tenant is a configuration error.
 */
import { readFile, stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { afterAll, beforeAll, expect, it } from "vitest"
import { runServerToExit, startServer, stopAllServers } from "./support/server.ts"
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
  expect(server.stderr()).not.toContain(key.split("_")[2])
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
