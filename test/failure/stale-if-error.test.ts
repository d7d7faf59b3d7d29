/**
 * A cached answer stands in when the database is gone, and says so: `database_clock` (cached 200 ms, stale-if-error a
 * minute) is read, its freshness runs out, the database (a disposable PostgreSQL) is stopped, and the next read
 * answers the last value with a first line saying it is stale and why, and `_meta["io.bulwark/degraded"]` with its
 * age (the silent-failure scenario shows what a read with nothing kept answers: a tool error naming the backend).
 */
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { callTool, type Scenario, sleep, startScenario } from "./support/scenario.ts"

let scenario: Scenario

beforeAll(async () => {
  scenario = await startScenario("stale", [
    "plugins:",
    "  database-sleep:",
    `    module: ${fileURLToPath(new URL("../e2e/fixtures/database-sleep-plugin.ts", import.meta.url))}`,
    "    backend: { timeout: 1 second, retries: 0 }",
    "audit: { flushInterval: 20 millis }"
  ])
}, 60_000)

afterAll(async () => {
  await scenario.close()
})

describe("stale if error", () => {
  it("serves the last answer, marked stale with its age, when the database is gone", async () => {
    const { server, database } = scenario
    const fresh = await callTool(server, "database_clock", {})
    expect(fresh.text).toMatch(/^database time /)
    await sleep(300)
    await Effect.runPromise(database.stop)
    const stale = await callTool(server, "database_clock", {})
    console.info(`stale: ${stale.reason}: ${stale.text.split("\n")[0]}`)
    expect(stale.text).toMatch(
      /^Stale answer \(\d+ s old\) served because the backend did not answer: Backend "sleep-db"/
    )
    const meta = stale.message.result?._meta as Record<string, Record<string, unknown>>
    expect(meta["io.bulwark/degraded"]).toMatchObject({ backend: "sleep-db", staleAgeSeconds: expect.any(Number) })
    const content = stale.message.result?.content as Array<{ text: string }>
    expect(content[1]?.text).toBe(fresh.text)
    await Effect.runPromise(database.start)
  }, 30_000)
})
