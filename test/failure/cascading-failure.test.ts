/**
 * Cascading failure (the article's scenario): the database stalls, comes back, dies, comes back. A tool that waits
 * in it (`database_sleep`, backend `sleep-db`: 500 ms timeout, circuit open after 3 failures in a row for 1 s, no
 * retries) is called all along. The breaker opens after the configured failures and then refuses at once (the
 * database sees no stream of calls it cannot answer), half-opens once the open time is over, and closes after the
 * database recovers; no request hangs (authentication keeps a credential it read in the last minute while its store
 * does not answer); the server never restarts. Figures by phase are printed.
 */
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { databaseSleepPlugin } from "../e2e/fixtures/database-sleep-plugin.ts"
import {
  type Answered,
  byReason,
  callTool,
  metric,
  type Scenario,
  sleep,
  slowest,
  startScenario
} from "./support/scenario.ts"

let scenario: Scenario

beforeAll(async () => {
  scenario = await startScenario("cascade", [
    ...databaseSleepPlugin,
    "    backend: { timeout: 500 millis, consecutiveFailures: 3, openFor: 1 second, retries: 0 }",
    "audit: { flushInterval: 20 millis }"
  ])
}, 60_000)

afterAll(async () => {
  await scenario.close()
})

/** Calls the tool `n` times in a row (or for `forMs`), each asking for a query that answers at once. */
const calls = async (n: number, forMs = 0): Promise<Array<Answered>> => {
  const answers: Array<Answered> = []
  const until = Date.now() + forMs
  while (answers.length < n || Date.now() < until)
    answers.push(await callTool(scenario.server, "database_sleep", { seconds: 0 }))
  return answers
}

/** Calls until one succeeds (or `timeoutMs` passes). */
const untilRecovered = async (timeoutMs: number): Promise<Array<Answered>> => {
  const answers: Array<Answered> = []
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    const answer = await callTool(scenario.server, "database_sleep", { seconds: 0 })
    answers.push(answer)
    if (answer.ok) break
    await sleep(100)
  }
  return answers
}

const report = (phase: string, answers: ReadonlyArray<Answered>) =>
  console.info(
    `cascade ${phase}: ${answers.length} calls ${JSON.stringify(byReason(answers))}, slowest ${slowest(answers)} ms`
  )

describe("cascading failure", () => {
  it("opens the breaker, refuses fast, recovers twice, and never hangs", async () => {
    const { server, database } = scenario
    const transitions = () => metric(server, /^bulwark_backend_circuit_transitions_total\{.*backend="sleep-db"/)
    const reached = () =>
      metric(server, /^bulwark_backend_calls_total\{.*backend="sleep-db".*outcome="(success|failure|timeout)"/)

    const healthy = await calls(5)
    report("healthy", healthy)
    expect(byReason(healthy)).toEqual({ ok: 5 })

    // The database stalls: three calls time out, then the circuit refuses at once.
    await Effect.runPromise(database.stall)
    const reachedBefore = await reached()
    const stallStarted = Date.now()
    const stalled = await calls(30, 2500)
    const stallMs = Date.now() - stallStarted
    report("stalled", stalled)
    const stalledReached = (await reached()) - reachedBefore
    console.info(
      `cascade stalled: ${stalledReached} of ${stalled.length} calls in ${stallMs} ms reached the database's pool`
    )
    expect(stalled.slice(0, 3).map((answer) => answer.reason)).toEqual(["timeout", "timeout", "timeout"])
    expect(stalled.every((answer) => !answer.ok)).toBe(true)
    expect(byReason(stalled)["circuit-open"]).toBeGreaterThan(stalled.length / 2)
    // Only the first three, then one probe per second of open time, reach the pool: no retry storm.
    expect(stalledReached).toBeLessThanOrEqual(3 + Math.ceil(stallMs / 1000))
    expect(slowest(stalled)).toBeLessThan(1500)

    // It comes back: the breaker half-opens after its open time and closes on the first good call.
    await Effect.runPromise(database.resume)
    const resumed = await untilRecovered(5000)
    report("resumed", resumed)
    expect(resumed.at(-1)?.ok).toBe(true)
    expect(byReason(await calls(5))).toEqual({ ok: 5 })

    // It dies: refused connections fail at once, the breaker opens again.
    await Effect.runPromise(database.stop)
    const dead = await calls(20, 1500)
    report("dead", dead)
    expect(dead.every((answer) => !answer.ok)).toBe(true)
    expect(byReason(dead)["circuit-open"]).toBeGreaterThan(0)
    expect(slowest(dead)).toBeLessThan(1500)

    await Effect.runPromise(database.start)
    const restarted = await untilRecovered(10_000)
    report("restarted", restarted)
    expect(restarted.at(-1)?.ok).toBe(true)

    const opened = await metric(server, /^bulwark_backend_circuit_transitions_total\{.*backend="sleep-db".*to="open"/)
    console.info(`cascade: circuit transitions ${await transitions()}, of which ${opened} to open`)
    expect(opened).toBeGreaterThanOrEqual(2)
    expect(server.child.exitCode).toBe(null)
  }, 90_000)
})
