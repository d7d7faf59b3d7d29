/**
 * The README's "A plugin with a database" as a user runs it: the notes plugin (`test/readme/notes-plugin.ts`, ~30
 * lines) loaded by the bundled server from its file, on a real PostgreSQL, called by the official client as two
 * tenants. Its table is created once (not again on a restart), each tenant sees only its notes, the hints follow from
 * `read`/`write`, bad input is refused with the bound it broke, and its calls run under its backend (`notes-db`).
 * Then `pnpm dev`: the server restarts when the plugin's file changes and serves the new tool.
 */
import { spawn } from "node:child_process"
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { createDatabase, dropDatabases, type FreshDatabase, query } from "@bulwark/database/testing"
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { nodeBin, root } from "./support/paths.ts"
import { baseEnv, type ServerProcess, startServer, stopAllServers, stopServer } from "./support/server.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"
import { createTenantKeys } from "./support/tenantKeys.ts"

const notesPlugin = join(root, "test/readme/notes-plugin.ts")

let database: FreshDatabase
let workDir: string
let config: string
let server: ServerProcess
let keys: Readonly<Record<string, string>>
const clients: Array<Client> = []

const configFor = (module: string) =>
  [
    "plugins:",
    "  tickets: { enabled: false }",
    "  reports: { enabled: false }",
    "  notes:",
    `    module: ${module}`,
    "tenancy:",
    "  tenants:",
    "    - { id: acme, name: Acme, tools: ['*'] }",
    "    - { id: globex, name: Globex, tools: ['*'] }",
    ""
  ].join("\n")

const connect = async (url: URL, key: string): Promise<Client> => {
  const client = new Client({ name: "notes-e2e", version: "1.0.0" })
  await client.connect(
    new StreamableHTTPClientTransport(url, { requestInit: { headers: { authorization: `Bearer ${key}` } } })
  )
  clients.push(client)
  return client
}

beforeAll(async () => {
  database = await createDatabase("database_plugin")
  workDir = await makeTempDir("database-plugin")
  config = join(workDir, "bulwark.yaml")
  await writeFile(config, configFor(notesPlugin))
  server = await startServer({ args: ["--config", config], env: { DATABASE_URL: database.url }, cwd: workDir })
  keys = await createTenantKeys(database.url, ["acme", "globex"])
}, 60_000)

afterAll(async () => {
  for (const client of clients) await client.close().catch(() => undefined)
  await stopAllServers()
  await dropDatabases()
  await removeTempDirs()
})

describe("a plugin with a database (README)", () => {
  it("creates its table, scopes notes by tenant, and declares hints from read and write", async () => {
    expect(server.stderr()).toContain('Applied migration notes/0001 \\"CREATE TABLE notes')
    const acme = await connect(server.mcpUrl, keys.acme as string)
    const globex = await connect(server.mcpUrl, keys.globex as string)

    const { tools } = await acme.listTools()
    const byName = new Map(tools.map((tool) => [tool.name, tool]))
    expect(byName.get("list_notes")?.annotations).toEqual({ readOnlyHint: true, idempotentHint: true })
    expect(byName.get("add_note")?.annotations).toEqual({
      readOnlyHint: false,
      idempotentHint: false,
      destructiveHint: false
    })

    for (const title of ["first", "second"]) {
      const added = await acme.callTool({ name: "add_note", arguments: { title, body: `${title} body` } })
      expect(added.isError).not.toBe(true)
      expect(added.content).toEqual([{ type: "text", text: expect.stringMatching(/^Added note \d+\.$/) }])
    }
    await globex.callTool({ name: "add_note", arguments: { title: "globex only", body: "" } })

    const listed = await acme.callTool({ name: "list_notes", arguments: { limit: 10 } })
    const notes = (listed.structuredContent as { notes: ReadonlyArray<{ title: string }> }).notes
    expect(notes.map((note) => note.title)).toEqual(["second", "first"])
    const theirs = await globex.callTool({ name: "list_notes", arguments: { limit: 10 } })
    expect((theirs.structuredContent as { notes: ReadonlyArray<{ title: string }> }).notes.map((n) => n.title)).toEqual(
      ["globex only"]
    )
    const rows = await query(database.url, "SELECT tenant_id, count(*)::int AS n FROM notes GROUP BY 1 ORDER BY 1")
    expect(rows).toEqual([
      { tenant_id: "acme", n: 2 },
      { tenant_id: "globex", n: 1 }
    ])

    const refused = await acme.callTool({ name: "list_notes", arguments: { limit: 0 } })
    expect(refused.isError).toBe(true)
    expect(JSON.stringify(refused.content)).toContain("limit")
    const empty = await acme.callTool({ name: "add_note", arguments: { title: "", body: "x" } })
    expect(empty.isError).toBe(true)

    const metrics = await (await fetch(new URL("/metrics", server.baseUrl))).text()
    expect(metrics).toMatch(/^bulwark_backend_calls_total\{backend="notes-db",outcome="success"\} [4-9]$/m)
  })

  it("applies its migration once: a restart finds the table and keeps the notes", async () => {
    for (const client of clients.splice(0)) await client.close()
    expect(await stopServer(server)).toEqual({ code: 0, signal: null })
    server = await startServer({ args: ["--config", config], env: { DATABASE_URL: database.url }, cwd: workDir })
    expect(server.stderr()).not.toContain("Applied migration notes")
    const acme = await connect(server.mcpUrl, keys.acme as string)
    const listed = await acme.callTool({ name: "list_notes", arguments: { limit: 1 } })
    expect((listed.structuredContent as { notes: ReadonlyArray<{ title: string }> }).notes).toEqual([
      expect.objectContaining({ title: "second" })
    ])
    const ready = await fetch(new URL("/readyz", server.baseUrl))
    expect(ready.status).toBe(200)
  })
})

describe("pnpm dev", () => {
  it("restarts the server when a plugin's file changes, and serves the change", async () => {
    const script = JSON.parse(await readFile(join(root, "package.json"), "utf8")).scripts.dev as string
    expect(script).toBe("node --watch apps/server/src/main.ts")
    // The plugin as a user's own file: a copy in the working directory (whose node_modules has the two packages it
    // imports), edited while the server runs.
    await mkdir(join(workDir, "node_modules", "@bulwark"), { recursive: true })
    await symlink(join(root, "packages/database"), join(workDir, "node_modules/@bulwark/database"), "dir")
    await symlink(join(root, "node_modules/effect"), join(workDir, "node_modules/effect"), "dir")
    const mine = join(workDir, "notes.ts")
    await writeFile(mine, await readFile(notesPlugin, "utf8"))
    const devConfig = join(workDir, "dev.yaml")
    await writeFile(devConfig, configFor(mine))
    const child = spawn(nodeBin, [...script.split(" ").slice(1), "--config", devConfig], {
      cwd: root,
      env: baseEnv({ DATABASE_URL: database.url, PORT: "0" }),
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const exited = new Promise((resolve) => child.once("exit", resolve))
    const listening = async (count: number) => {
      const deadline = Date.now() + 30_000
      for (;;) {
        const ports = [...stderr.matchAll(/Bulwark listening on http:\/\/127\.0\.0\.1:(\d+)\/mcp/g)].map((m) => m[1])
        if (ports.length >= count) return new URL(`http://127.0.0.1:${ports[count - 1]}/mcp`)
        if (Date.now() > deadline) throw new Error(`no listening line ${count}:\n${stderr}`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
    try {
      const first = await connect(await listening(1), keys.acme as string)
      expect((await first.listTools()).tools.map((tool) => tool.name).sort()).not.toContain("count_notes")
      await first.close()

      // A new tool, written into the plugin's file while the server runs.
      const source = await readFile(mine, "utf8")
      const countNotes = `
    SqlPlugin.read("count_notes", {
      description: "How many notes the caller has.",
      input: Schema.Struct({}),
      run: (_, { sql, tenantId }) =>
        sql<{ n: number }>\`SELECT count(*)::int AS n FROM notes WHERE tenant_id = \${tenantId}\`.pipe(
          Effect.map(([row]) => \`\${row?.n} notes\`)
        )
    }),`
      await writeFile(mine, source.replace("  tools: [", `  tools: [${countNotes}`))
      const second = await connect(await listening(2), keys.acme as string)
      const counted = await second.callTool({ name: "count_notes", arguments: {} })
      const [row] = await query(database.url, "SELECT count(*)::int AS n FROM notes WHERE tenant_id = 'acme'")
      expect(counted.content).toEqual([{ type: "text", text: `${row?.n} notes` }])
      expect(stderr).toContain("Bulwark stopped")
    } finally {
      child.kill("SIGTERM")
      await exited
    }
  }, 90_000)
})
