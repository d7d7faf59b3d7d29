/**
 * A PostgreSQL 15 server of the test's own (initdb + pg_ctl as user postgres, a random port, a temporary directory),
 * which the test may stop and start again to simulate an outage. Released: stopped (immediately) and removed.
 * Failure tests own their failures this way: never the shared server.
 */
import { execFile } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { Context, Effect, Layer } from "effect"
import { freePort } from "./freePort.ts"

const bin = "/usr/lib/postgresql/15/bin"

const exec = (command: string, args: ReadonlyArray<string>) =>
  Effect.tryPromise({
    try: () =>
      new Promise<string>((resolve, reject) => {
        execFile(command, args, (error, stdout, stderr) =>
          error === null ? resolve(stdout) : reject(new Error(`${command} failed: ${stderr || error.message}`))
        )
      }),
    catch: (error) => error as Error
  })

// initdb and pg_ctl refuse to run as root.
const run = (command: string, args: ReadonlyArray<string>) =>
  exec("runuser", ["-u", "postgres", "--", command, ...args])

/** The disposable server: its URL, and stopping and starting it. */
export class DisposablePostgres extends Context.Service<
  DisposablePostgres,
  {
    readonly url: string
    /** Stops the server (`fast`: open sessions are cut off, as in a crash of the database host's service). */
    readonly stop: Effect.Effect<void, Error>
    /** Starts it again on the same port and data, waiting until it accepts connections. */
    readonly start: Effect.Effect<void, Error>
    /**
     * Stalls the server (SIGSTOP to the postmaster and its children): connections are accepted by the kernel but
     * nothing answers, the hard case for clients. `resume` (SIGCONT) lets it go on.
     */
    readonly stall: Effect.Effect<void, Error>
    readonly resume: Effect.Effect<void, Error>
  }
>()("@bulwark/database/testing/DisposablePostgres") {
  /** Creates, starts and finally stops and removes the server. */
  static readonly layer: Layer.Layer<DisposablePostgres, Error> = Layer.effect(
    DisposablePostgres,
    Effect.gen(function* () {
      const dir = yield* Effect.acquireRelease(
        Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "bulwark-pg-"))),
        (dir) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
      )
      yield* exec("chown", ["postgres", dir])
      const data = path.join(dir, "data")
      const port = yield* Effect.promise(freePort)
      yield* run(`${bin}/initdb`, ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync"])
      const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`
      const start = run(`${bin}/pg_ctl`, ["-D", data, "-l", path.join(dir, "log"), "-o", options, "-w", "start"])
      const stopWith = (mode: string) => run(`${bin}/pg_ctl`, ["-D", data, "-m", mode, "-w", "stop"])
      /** Sends `signal` to the postmaster and every process it started. */
      const signalAll = (signal: "STOP" | "CONT") =>
        Effect.gen(function* () {
          const pidFile = yield* Effect.tryPromise({
            try: () => fs.readFile(path.join(data, "postmaster.pid"), "utf8"),
            catch: (error) => error as Error
          })
          const pid = pidFile.split("\n")[0]!
          const children = (yield* exec("pgrep", ["-P", pid]).pipe(Effect.orElseSucceed(() => "")))
            .split("\n")
            .filter((line) => line.trim() !== "")
          yield* exec("kill", [`-${signal}`, pid, ...children])
        })
      // A stalled server cannot stop: resume it first (harmless when it runs).
      yield* Effect.acquireRelease(start, () =>
        signalAll("CONT").pipe(Effect.ignore, Effect.andThen(stopWith("immediate")), Effect.ignore)
      )
      return {
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        stop: Effect.asVoid(stopWith("fast")),
        start: Effect.asVoid(start),
        stall: signalAll("STOP"),
        resume: signalAll("CONT")
      }
    })
  )
}
