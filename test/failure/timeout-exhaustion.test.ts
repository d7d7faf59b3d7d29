/**
 * Timeout and resource exhaustion (the article's scenario, scaled to run in seconds): a backend that answers in 3 s
 * behind a 1 s timeout, called by 50 agents at once. `sleep-db` (the sleeping plugin's backend) lets 6 calls run and
 * 6 wait; the rest are refused at once ("at capacity"), those that run are cut at 1 s ("timed out") and their
 * queries cancelled in PostgreSQL. Meanwhile another tool on another backend (`fetch_user`, `tickets-db`) keeps
 * answering, the pool is never exhausted, and no query outlives its call. Figures are printed.
 */
import { fileURLToPath } from "node:url"
import { query } from "@bulwark/database/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Answered, byReason, callTool, type Scenario, sleep, slowest, startScenario } from "./support/scenario.ts"

let scenario: Scenario

beforeAll(async () => {
  scenario = await startScenario("exhaustion", [
    "plugins:",
    "  database-sleep:",
    `    module: ${fileURLToPath(new URL("../e2e/fixtures/database-sleep-plugin.ts", import.meta.url))}`,
    "    backend: { timeout: 1 second, maxConcurrent: 6, maxQueued: 6, perTenant: 12, retries: 0 }",
    "database: { poolSize: 10 }",
    "audit: { flushInterval: 20 millis }"
  ])
}, 60_000)

afterAll(async () => {
  await scenario.close()
})

/** Sessions PostgreSQL sees: all of them, and those running `pg_sleep`. */
const sessions = async () => {
  const rows = await query(
    scenario.database.url,
    `SELECT count(*)::int AS total, count(*) FILTER (WHERE query LIKE '%pg_sleep(%' AND state = 'active')::int AS sleeping
     FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`
  )
  return rows[0] as { total: number; sleeping: number }
}

describe("timeout and resource exhaustion", () => {
  it("cuts slow calls at the deadline, refuses the excess at once, and keeps other tools answering", async () => {
    const { server } = scenario
    const started = performance.now()
    const slow = Promise.all(Array.from({ length: 50 }, () => callTool(server, "database_sleep", { seconds: 3 })))
    // While they run: another backend's tool, and what PostgreSQL sees.
    const others: Array<Answered> = []
    let peak = { total: 0, sleeping: 0 }
    while (performance.now() - started < 1200) {
      others.push(await callTool(server, "fetch_user", { id: 1 }))
      const seen = await sessions()
      peak = { total: Math.max(peak.total, seen.total), sleeping: Math.max(peak.sleeping, seen.sleeping) }
      await sleep(50)
    }
    const answers = await slow
    await sleep(500)
    const after = await sessions()

    console.info(
      `exhaustion: 50 calls ${JSON.stringify(byReason(answers))}, slowest ${slowest(answers)} ms; ` +
        `fetch_user meanwhile ${JSON.stringify(byReason(others))}, slowest ${slowest(others)} ms; ` +
        `PostgreSQL sessions peak ${peak.total} (${peak.sleeping} sleeping), 0.5 s after ${after.total} (${after.sleeping} sleeping)`
    )
    expect(byReason(answers)).toEqual({ timeout: 6, overloaded: 44 })
    expect(slowest(answers)).toBeLessThan(2000)
    expect(answers.filter((a) => a.reason === "overloaded").every((a) => a.ms < 500)).toBe(true)
    expect(others.length).toBeGreaterThan(3)
    expect(byReason(others)).toEqual({ ok: others.length })
    expect(slowest(others)).toBeLessThan(500)
    expect(peak.sleeping).toBeLessThanOrEqual(6)
    expect(peak.total).toBeLessThanOrEqual(10)
    expect(after.sleeping).toBe(0)
  }, 60_000)
})
