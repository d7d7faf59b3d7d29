/**
 * The processes of a measurement, shared by the benchmarks: the server under test (started with Node's flags, its
 * port read from its stdout), the load generator in a process of its own (`load.ts`), and what `/proc` says about the
 * server (CPU ticks, RSS).
 */
import { type ChildProcess, spawn } from "node:child_process"
import { readFile } from "node:fs/promises"
import type { LoadResult } from "./load.ts"

const node = process.execPath
const here = new URL(".", import.meta.url).pathname

/** Clock ticks per second of `/proc/<pid>/stat` (USER_HZ on Linux). */
export const TICKS_PER_SECOND = 100

/** The server's CPU time so far (user + system), in ticks. */
export const cpuTicks = async (pid: number): Promise<number> => {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8")
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return Number(fields[11]) + Number(fields[12])
}

/** The server's resident memory now and at its peak, in MiB. */
export const memory = async (pid: number): Promise<{ readonly rss: number; readonly peak: number }> => {
  const status = await readFile(`/proc/${pid}/status`, "utf8")
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
  return { rss: kib("VmRSS") / 1024, peak: kib("VmHWM") / 1024 }
}

/** A server under test. */
export interface Running {
  readonly child: ChildProcess
  readonly port: number
  readonly startupMs: number
}

/** Starts `script` (relative to `bench/`) with Node's `flags` and resolves once it prints its port. */
export const startServer = (
  script: string,
  flags: ReadonlyArray<string>,
  env: Record<string, string>
): Promise<Running> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(node, [...flags, `${here}${script}`], {
      stdio: ["ignore", "pipe", "ignore"],
      env: { ...process.env, ...env, PORT: "0" }
    })
    let seen = ""
    child.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk.toString()
      const port = /^(\d+)$/m.exec(seen)?.[1]
      if (port !== undefined) resolve({ child, port: Number(port), startupMs: performance.now() - started })
    })
    child.once("exit", (code) => reject(new Error(`${script} exited (${code}) before listening`)))
  })

/** Stops a server (SIGTERM) and waits for it to exit. */
export const stopServer = async (running: Running) => {
  running.child.removeAllListeners("exit")
  const exited = new Promise((resolve) => running.child.once("exit", resolve))
  running.child.kill("SIGTERM")
  await exited
}

/** What the load generator is asked to send. */
export interface LoadJob {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  readonly connections: number
  readonly seconds: number
  /** Text every answer must contain. */
  readonly expect: string
  /** A header every request carries with a value of its own (a fresh idempotency key). */
  readonly uniqueHeader?: string
}

/** Runs the load generator in a process of its own. */
export const load = (job: LoadJob): Promise<LoadResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(node, [`${here}load.ts`, JSON.stringify(job)], { stdio: ["ignore", "pipe", "inherit"] })
    let out = ""
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString()
    })
    child.once("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load generator exited ${code}`))
    )
  })
