/**
 * The bundled server over stdio (`main.ts --stdio --in-memory`): spawned by the official client's
 * `StdioClientTransport` as Claude Desktop would, in both negotiation modes; and spawned directly, to read every
 * byte of its stdout (the SDK's reader silently skips lines that are not JSON, so it cannot prove stdout is clean);
 * and as the README's Claude Desktop snippet says, from `/`, including a start that fails.
 */
import { spawn } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { freePort } from "@bulwark/database/testing"
import type { Client } from "@modelcontextprotocol/client"
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio"
import { afterAll, describe, expect, it } from "vitest"
import { callError, callOk, closeAllClients, expectedRevision, makeClient, negotiations } from "./support/clients.ts"
import { nodeBin, root, serverMain } from "./support/paths.ts"
import { baseEnv, runServerToExit } from "./support/server.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"

const pids = new Set<number>()

afterAll(async () => {
  await closeAllClients()
  // The transport stops its child on close; make sure nothing is left if a test failed half-way.
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL")
    } catch {
      // already gone
    }
  }
  await removeTempDirs()
})

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe.each(negotiations)("stdio, %s negotiation", (mode) => {
  it(`negotiates ${expectedRevision[mode]}, serves the tools, keeps stdout for protocol and logs JSON on stderr`, async () => {
    const transport = new StdioClientTransport({
      command: nodeBin,
      args: [serverMain, "--stdio", "--in-memory"],
      env: baseEnv({ LOG_LEVEL: "info" }),
      cwd: await makeTempDir(`stdio-${mode}`),
      stderr: "pipe"
    })
    let stderr = ""
    transport.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
    })
    const client: Client = makeClient(mode)
    const transportErrors: Array<string> = []
    client.onerror = (error) => transportErrors.push(error.message)

    await client.connect(transport)
    const pid = transport.pid
    expect(pid).not.toBeNull()
    if (pid !== null) pids.add(pid)

    expect(client.getNegotiatedProtocolVersion()).toBe(expectedRevision[mode])
    const { tools } = await client.listTools()
    expect(tools.map((tool) => tool.name)).toContain("create_ticket")
    const ada = await callOk(client, "fetch_user", { email: "ada@example.com" })
    const ticket = await callOk(client, "create_ticket", { title: `over stdio (${mode})`, reporterId: ada.id })
    expect(ticket).toMatchObject({ status: "open", reporterId: ada.id })
    expect(await callOk(client, "get_ticket", { id: ticket.id })).toEqual({ ...ticket, comments: [] })
    expect(await callError(client, "get_ticket", { id: 987_654 })).toContain("Ticket 987654 does not exist")
    const read = await client.readResource({ uri: `ticket://${String(ticket.id)}` })
    expect(read.contents[0]).toMatchObject({ mimeType: "application/json" })

    // A JSON line on stdout that is not a JSON-RPC message (e.g. a log line) would have been reported here.
    expect(transportErrors).toEqual([])

    const lines = stderr.split("\n").filter((line) => line.trim() !== "")
    expect(lines.length).toBeGreaterThan(0)
    const entries = lines.map((line) => {
      const entry: unknown = JSON.parse(line)
      expect(entry, line).toMatchObject({
        time: expect.any(String),
        level: expect.any(String),
        message: expect.any(String)
      })
      return entry as { readonly level: string; readonly message: string }
    })
    expect(entries.map((entry) => entry.message)).toContainEqual(
      expect.stringContaining("Using embedded PostgreSQL (PGlite)")
    )
    expect(entries.filter((entry) => entry.level === "error" || entry.level === "fatal")).toEqual([])

    await client.close()
    if (pid !== null) {
      const deadline = Date.now() + 5000
      while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
      expect(isAlive(pid)).toBe(false)
    }
  })
})

describe("stdio, read byte for byte", () => {
  it("writes only JSON-RPC responses to stdout, logs JSON to stderr, and exits 0 when stdin closes", async () => {
    const child = spawn(nodeBin, [serverMain, "--stdio", "--in-memory"], {
      cwd: await makeTempDir("stdio-raw"),
      env: baseEnv({ LOG_LEVEL: "info" }),
      stdio: ["pipe", "pipe", "pipe"]
    })
    if (child.pid !== undefined) pids.add(child.pid)
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal }))
    )
    let stdout = ""
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
    })
    const responses = new Map<number, Record<string, unknown>>()
    const waiters = new Map<number, () => void>()
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8")
      for (const line of stdout.split("\n").slice(0, -1)) {
        // A line that is not JSON is left for the final check on all of stdout.
        const message = ((): { id?: unknown } => {
          try {
            return JSON.parse(line) as { id?: unknown }
          } catch {
            return {}
          }
        })()
        if (typeof message.id === "number" && !responses.has(message.id)) {
          responses.set(message.id, message as Record<string, unknown>)
          waiters.get(message.id)?.()
        }
      }
    })
    const send = (message: Record<string, unknown>) =>
      child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`)
    const request = (id: number, method: string, params: Record<string, unknown>) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer to ${method} within 20 s:\n${stderr}`)), 20_000)
        waiters.set(id, () => {
          clearTimeout(timer)
          resolve(responses.get(id)!)
        })
        send({ id, method, params })
      })

    const initialized = await request(1, "initialize", {
      protocolVersion: "2025-11-25",
      capabilities: {},
      clientInfo: { name: "raw-stdio", version: "1.0.0" }
    })
    expect(initialized).toMatchObject({
      id: 1,
      result: { protocolVersion: "2025-11-25", serverInfo: { name: "bulwark" } }
    })
    send({ method: "notifications/initialized" })
    const user = await request(2, "tools/call", { name: "fetch_user", arguments: { email: "grace@example.com" } })
    expect(user).toMatchObject({ id: 2, result: { structuredContent: { name: "Grace Hopper" } } })
    const unknown = await request(3, "tools/call", { name: "no_such_tool", arguments: {} })
    expect(unknown).toMatchObject({ id: 3, error: { code: -32003 } })

    child.stdin.end()
    const exit = await Promise.race([
      exited,
      new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 10_000))
    ])
    if (exit === "timeout") child.kill("SIGKILL")
    expect(exit, stderr.slice(-2000)).toEqual({ code: 0, signal: null })

    // Every byte on stdout belongs to a JSON-RPC message: the three responses, one per line, nothing else.
    expect(stdout.endsWith("\n")).toBe(true)
    const lines = stdout.split("\n").slice(0, -1)
    expect(lines).toHaveLength(3)
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: "2.0", id: expect.any(Number) })

    // Every stderr line is one JSON object; each request is logged with its outcome.
    const entries = stderr
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(entries.every((entry) => typeof entry.level === "string" && typeof entry.message === "string")).toBe(true)
    expect(entries).toContainEqual(
      expect.objectContaining({ message: "request", method: "tools/call", target: "fetch_user", outcome: "success" })
    )
  })
})

describe("stdio, when the server cannot start", () => {
  it("says why on stderr as JSON, writes nothing on stdout, and exits non-zero", async () => {
    const port = await freePort()
    const run = await runServerToExit(
      ["--stdio"],
      { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/nowhere` },
      await makeTempDir("stdio-fail")
    )
    expect(run.code).toBe(1)
    expect(run.stdout).toBe("")
    const entries = run.stderr
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    const fatal = entries.filter((entry) => entry.level === "error")
    expect(fatal).toHaveLength(1)
    expect(JSON.stringify(fatal[0])).toContain(`Cannot use PostgreSQL at 127.0.0.1:${port}/nowhere`)
  })
})

describe("the README's Claude Desktop snippet", () => {
  it("runs as written from the root directory, keeping its data in the user's data directory", async () => {
    const readme = readFileSync(join(root, "README.md"), "utf8")
    const snippet = /\*\*Claude Desktop\*\*[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1]
    expect(snippet).toBeDefined()
    const server = (
      JSON.parse(snippet!.replaceAll("/path/to/bulwark", root)) as {
        mcpServers: Record<string, { command: string; args: Array<string> }>
      }
    ).mcpServers.bulwark!
    const dataHome = await makeTempDir("stdio-data-home")
    const transport = new StdioClientTransport({
      command: server.command,
      args: server.args,
      // As Claude Desktop starts it: from `/`, with the user's environment (here a data home of the test's own).
      cwd: "/",
      env: baseEnv({ XDG_DATA_HOME: dataHome }),
      stderr: "pipe"
    })
    const client = makeClient("legacy")
    await client.connect(transport)
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain("fetch_user")
    expect(await callOk(client, "fetch_user", { email: "ada@example.com" })).toMatchObject({ name: "Ada Lovelace" })
    await client.close()
    expect(existsSync(join(dataHome, "bulwark", "stdio", "pglite"))).toBe(true)
  }, 90_000)

  it("tells the client why it cannot start, rather than closing the pipe", async () => {
    const transport = new StdioClientTransport({
      command: join(root, "apps/server/bin/bulwark"),
      args: ["--stdio"],
      cwd: "/",
      env: baseEnv({ DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/nowhere` }),
      stderr: "pipe"
    })
    const client = makeClient("legacy")
    const failure = await client.connect(transport).then(
      () => undefined,
      (error: unknown) => error
    )
    expect(String(failure)).toContain("Bulwark could not start: DatabaseUnavailable: Cannot use PostgreSQL")
    await client.close().catch(() => undefined)
  }, 60_000)
})
