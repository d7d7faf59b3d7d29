/**
 * What every failure scenario stands on: a PostgreSQL of the scenario's own (initdb + pg_ctl; it may be stalled,
 * stopped and started again, never the shared server), the bundled server on it with the scenario's configuration,
 * and calls timed as an agent sees them.
 */
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { DisposablePostgres } from "@bulwark/database/testing"
import { nodeFlags } from "@bulwark/server"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { bodyFor, headersFor, parseJsonRpc, post } from "../../e2e/support/rawHttp.ts"
import { type ServerProcess, startServer, stopAllServers } from "../../e2e/support/server.ts"
import { makeTempDir, removeTempDirs } from "../../e2e/support/tempDir.ts"

/** A running scenario: its database and server. */
export interface Scenario {
  readonly database: DisposablePostgres["Service"]
  readonly server: ServerProcess
  readonly close: () => Promise<void>
}

/** Starts a disposable PostgreSQL and the bundled server on it with `config` (YAML lines). */
export const startScenario = async (label: string, config: ReadonlyArray<string>): Promise<Scenario> => {
  const scope = await Effect.runPromise(Scope.make())
  const context = await Effect.runPromise(Layer.buildWithScope(DisposablePostgres.layer, scope))
  const database = Context.get(context, DisposablePostgres)
  const workDir = await makeTempDir(label)
  const configFile = join(workDir, "bulwark.yaml")
  await writeFile(configFile, [...config, ""].join("\n"))
  // As `pnpm start` runs it: with its memory settings.
  const server = await startServer({
    args: ["--config", configFile],
    nodeArgs: nodeFlags,
    env: { DATABASE_URL: database.url },
    cwd: workDir
  })
  return {
    database,
    server,
    close: async () => {
      await stopAllServers()
      await Effect.runPromise(Scope.close(scope, Exit.void))
      await removeTempDirs()
    }
  }
}

/** One tool call as the agent saw it: how long it took, and the text it read (or the JSON-RPC error). */
export interface Answered {
  readonly ms: number
  readonly ok: boolean
  readonly text: string
  readonly reason: string
  /** The JSON-RPC message as received. */
  readonly message: ReturnType<typeof parseJsonRpc>
}

/** The reason of a degraded answer (`_meta["io.bulwark/degraded"].reason`), `ok`, or the JSON-RPC error. */
const reasonOf = (message: ReturnType<typeof parseJsonRpc>): string => {
  if (message.error !== undefined) return `error ${message.error.code}`
  const meta = message.result?._meta as Record<string, { reason?: string }> | undefined
  const degraded = meta?.["io.bulwark/degraded"]?.reason
  if (degraded !== undefined) return degraded
  return message.result?.isError === true ? "tool error" : "ok"
}

/** Sends one request over HTTP (2026-07-28) and times it; for a tool call, the text the agent reads. */
export const send = async (
  server: ServerProcess,
  method: string,
  params: Record<string, unknown>
): Promise<Answered> => {
  const started = performance.now()
  const response = await post(
    server.mcpUrl,
    bodyFor("2026-07-28", method, params),
    headersFor("2026-07-28", method, params)
  )
  const message = parseJsonRpc(response.headers.get("content-type") ?? "", await response.text())
  const ms = performance.now() - started
  const content = message.result?.content as Array<{ text?: string }> | undefined
  const reason = reasonOf(message)
  return { ms, ok: reason === "ok", text: content?.[0]?.text ?? message.error?.message ?? "", reason, message }
}

/** Calls a tool over HTTP (2026-07-28) and times it. */
export const callTool = (server: ServerProcess, name: string, args: Record<string, unknown>): Promise<Answered> =>
  send(server, "tools/call", { name, arguments: args })

/** Counts answers by reason: `{ ok: 5, timeout: 3, ... }`. */
export const byReason = (answers: ReadonlyArray<Answered>): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const answer of answers) counts[answer.reason] = (counts[answer.reason] ?? 0) + 1
  return counts
}

/** The slowest answer, in milliseconds. */
export const slowest = (answers: ReadonlyArray<Answered>): number =>
  Math.round(Math.max(0, ...answers.map((a) => a.ms)))

/** The value of one series of `/metrics` (0 when absent). */
export const metric = async (server: ServerProcess, series: RegExp): Promise<number> => {
  const text = await (await fetch(new URL("/metrics", server.baseUrl))).text()
  let total = 0
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue
    const [name, value] = [line.slice(0, line.lastIndexOf(" ")), line.slice(line.lastIndexOf(" ") + 1)]
    if (series.test(name)) total += Number(value)
  }
  return total
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
