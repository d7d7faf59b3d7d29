/**
 * The bundled server as a real child process (`node apps/server/src/main.ts …`), started the way a user starts it.
 *
 * The server is told `PORT=0` and the kernel picks a free port; the port is read from the JSON log line the HTTP
 * server writes once it listens (`"message":"Listening on http://127.0.0.1:PORT"`), which comes after the database,
 * migrations and endpoint are up. Every process started here is tracked and stopped by `stopAllServers` (call it in
 * `afterAll`); a SIGKILL on the test worker's exit catches anything left over.
 */

import { type ChildProcess, spawn } from "node:child_process"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { testApiKey } from "./credentials.ts"
import { nodeBin, root, serverMain } from "./paths.ts"

/** How a child process ended. */
export interface Exit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

/** A running bundled server. */
export interface ServerProcess {
  readonly child: ChildProcess
  /** `http://127.0.0.1:PORT` */
  readonly baseUrl: string
  /** `http://127.0.0.1:PORT/mcp` */
  readonly mcpUrl: URL
  readonly port: number
  /** Everything written to stderr so far. */
  readonly stderr: () => string
  /** Everything written to stdout so far. */
  readonly stdout: () => string
  readonly exited: Promise<Exit>
}

export interface StartOptions {
  /** Extra command-line arguments after `main.ts`, e.g. `["--in-memory"]`. */
  readonly args?: ReadonlyArray<string>
  /**
   * Node's own flags before `main.ts`, e.g. `nodeFlags` from `@bulwark/server`: the heap settings `pnpm start` and
   * `apps/server/bin/bulwark` run the server with (a README test keeps the entry point's equal to them).
   */
  readonly nodeArgs?: ReadonlyArray<string>
  /** Variables added to {@link baseEnv}. */
  readonly env?: Readonly<Record<string, string>>
  /** The working directory (a temp dir, so that nothing is written into the repository). */
  readonly cwd: string
  readonly startTimeoutMs?: number
}

/** Server settings that must not leak into a test server from the environment the tests run in. */
const serverVariables = [
  "XDG_DATA_HOME",
  "PORT",
  "HOST",
  "DATABASE_URL",
  "REDIS_URL",
  "LOG_LEVEL",
  "BULWARK_DATA_DIR",
  "BULWARK_CONFIG",
  "BULWARK_API_KEY",
  "BULWARK_ADMIN_TOKEN",
  "BULWARK_MASTER_KEY",
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
  "NODE_OPTIONS"
]

/** The test process's environment without any server setting, plus `extra` (`BULWARK_API_KEY: ""` for no key). */
export const baseEnv = (extra: Readonly<Record<string, string>> = {}): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !serverVariables.includes(key)) env[key] = value
  }
  const merged: Record<string, string> = { ...env, BULWARK_API_KEY: testApiKey, ...extra }
  // An empty BULWARK_API_KEY in `extra` means none: the server generates its first key.
  if (merged.BULWARK_API_KEY === "") delete merged.BULWARK_API_KEY
  return merged
}

/**
 * The user data directory a server started in `cwd` gets (its default data directory is inside it): the test's own
 * folder, as `.bulwark/` in the working directory used to be, never the real one of the user running the tests.
 */
const dataHomeOf = (cwd: string): string =>
  cwd === root ? join(tmpdir(), `bulwark-test-data-${process.pid}`) : join(cwd, ".data-home")

const running = new Set<ChildProcess>()
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL")
})

const exitOf = (child: ChildProcess): Promise<Exit> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode })
      return
    }
    child.once("exit", (code, signal) => resolve({ code, signal }))
  })

const listeningLine = /"message":"Listening on (http:\/\/127\.0\.0\.1:(\d+))"/

/** Starts the bundled server over HTTP on a free port and resolves once it listens (after its database is up). */
export const startServer = (options: StartOptions): Promise<ServerProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(nodeBin, [...(options.nodeArgs ?? []), serverMain, ...(options.args ?? [])], {
      cwd: options.cwd,
      env: baseEnv({
        XDG_DATA_HOME: dataHomeOf(options.cwd),
        LOG_LEVEL: "info",
        ...options.env,
        PORT: "0",
        HOST: "127.0.0.1"
      }),
      stdio: ["ignore", "pipe", "pipe"]
    })
    running.add(child)
    let stderr = ""
    let stdout = ""
    let listening = false
    const exited = exitOf(child)
    void exited.then(() => running.delete(child))
    const timeoutMs = options.startTimeoutMs ?? 30_000
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`the server did not listen within ${timeoutMs} ms:\n${stderr}\n${stdout}`))
    }, timeoutMs)
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8")
    })
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
      const match = listening ? null : listeningLine.exec(stderr)
      if (match !== null) {
        listening = true
        clearTimeout(timer)
        const baseUrl = match[1]!
        resolve({
          child,
          baseUrl,
          mcpUrl: new URL("/mcp", baseUrl),
          port: Number(match[2]),
          stderr: () => stderr,
          stdout: () => stdout,
          exited
        })
      }
    })
    void exited.then((exit) => {
      clearTimeout(timer)
      reject(new Error(`the server exited (${JSON.stringify(exit)}) before listening:\n${stderr}\n${stdout}`))
    })
  })

/** Sends `signal` (SIGTERM by default) and waits for the exit; SIGKILL after `killAfterMs`. */
export const stopServer = async (
  server: Pick<ServerProcess, "child" | "exited">,
  signal: NodeJS.Signals = "SIGTERM",
  killAfterMs = 10_000
): Promise<Exit> => {
  const { child } = server
  if (child.exitCode !== null || child.signalCode !== null) return server.exited
  child.kill(signal)
  const timer = setTimeout(() => child.kill("SIGKILL"), killAfterMs)
  const exit = await server.exited
  clearTimeout(timer)
  return exit
}

/** Stops every server this test file started that is still running. */
export const stopAllServers = async (): Promise<void> => {
  await Promise.all([...running].map((child) => stopServer({ child, exited: exitOf(child) })))
}

/** What a process that is expected to stop by itself printed, and how it ended. */
export interface Finished extends Exit {
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs the bundled server with `args` and `env` and waits for it to exit by itself (SIGKILL after `timeoutMs`).
 * No `PORT` is added: give one (e.g. `http.port: 0` in the file) wherever the server could otherwise start on 3000.
 */
export const runServerToExit = (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>>,
  cwd: string = root,
  timeoutMs = 20_000
): Promise<Finished> =>
  new Promise((resolve) => {
    const child = spawn(nodeBin, [serverMain, ...args], {
      cwd,
      env: baseEnv({ XDG_DATA_HOME: dataHomeOf(cwd), ...env }),
      stdio: ["ignore", "pipe", "pipe"]
    })
    running.add(child)
    let stdout = ""
    let stderr = ""
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8")
    })
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
    })
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
    child.once("close", (code, signal) => {
      clearTimeout(timer)
      running.delete(child)
      resolve({ code, signal, stdout, stderr })
    })
  })
