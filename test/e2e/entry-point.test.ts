/**
 * The direct entry point for supervisors and containers, `apps/server/bin/bulwark`: it execs Node, so the process a
 * supervisor started is the server itself; SIGTERM stops it cleanly (exit 0), with the start and the end of the
 * shutdown logged.
 */
import { spawn } from "node:child_process"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { afterAll, beforeAll, expect, it } from "vitest"
import { root } from "./support/paths.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"

let dir: string

beforeAll(async () => {
  dir = await makeTempDir("entry-point")
})

afterAll(async () => {
  await removeTempDirs()
})

it("bin/bulwark is the server process; SIGTERM stops it with exit 0, logging the shutdown's start and end", async () => {
  const file = join(dir, "bulwark.yaml")
  await writeFile(file, "http:\n  port: 0\n")
  const child = spawn(join(root, "apps/server/bin/bulwark"), ["--in-memory", "--config", file], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stderr = ""
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8")
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal }))
  )
  const deadline = Date.now() + 60_000
  while (!stderr.includes("Bulwark listening") && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  expect(stderr).toContain("Bulwark listening")
  // The script exec'd Node: the process it started is the server (no shell left in between to swallow signals).
  const command = await readFile(`/proc/${child.pid}/cmdline`, "utf8")
  expect(command.split("\u0000")[0]).toMatch(/node$/)
  expect(command).toContain("apps/server/bin/../src/main.ts")
  child.kill("SIGTERM")
  expect(await exited).toEqual({ code: 0, signal: null })
  const shuttingDown = stderr.indexOf("Shutting down: no new connections")
  expect(shuttingDown).toBeGreaterThan(0)
  expect(stderr.indexOf('"Bulwark stopped"')).toBeGreaterThan(shuttingDown)
}, 90_000)
