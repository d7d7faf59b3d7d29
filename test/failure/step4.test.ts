/**
 * The article's "Step 4" checks before going live, each asked of the bundled server on a PostgreSQL of its own:
 *
 * - an API times out: does the server retry? A read whose first attempt times out (`database_slow_once` waits 2 s
 *   behind a 300 ms timeout the first time) is retried and answered;
 * - Claude sends invalid parameters: does the server return a clear error? A tool error naming every field;
 * - a traffic spike: does the server degrade gracefully? Past capacity, 503 with `Retry-After` at once;
 * - the database is down: does the server fail gracefully? A tool error naming the backend and when to retry; the
 *   server keeps serving what does not need it (`/healthz`, `tools/list`) and does not restart.
 */
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { bodyFor, headersFor, post } from "../e2e/support/rawHttp.ts"
import { callTool, metric, type Scenario, send, startScenario } from "./support/scenario.ts"

let scenario: Scenario

beforeAll(async () => {
  scenario = await startScenario("step4", [
    "plugins:",
    "  database-sleep:",
    `    module: ${fileURLToPath(new URL("../e2e/fixtures/database-sleep-plugin.ts", import.meta.url))}`,
    "    backend: { timeout: 300 millis, retries: 2 }",
    "admission: { maxInFlight: 4, maxQueued: 0 }",
    "audit: { flushInterval: 20 millis }"
  ])
}, 60_000)

afterAll(async () => {
  await scenario.close()
})

describe("Step 4: failure scenarios before going live", () => {
  it("an API timing out is retried", async () => {
    const retriesBefore = await metric(scenario.server, /^bulwark_backend_retries_total\{.*backend="sleep-db"/)
    const answer = await callTool(scenario.server, "database_slow_once", { key: "step4", seconds: 2 })
    const retries =
      (await metric(scenario.server, /^bulwark_backend_retries_total\{.*backend="sleep-db"/)) - retriesBefore
    console.info(`step4 timeout: "${answer.text}" after ${Math.round(answer.ms)} ms and ${retries} retry`)
    expect(answer.ok).toBe(true)
    expect(answer.text).toBe("answered at once")
    expect(retries).toBe(1)
  })

  it("invalid parameters get a clear error naming the fields", async () => {
    const answer = await callTool(scenario.server, "create_ticket", { title: 42, reporterId: "one", priority: "now" })
    console.info(`step4 invalid: ${answer.text}`)
    expect(answer.reason).toBe("tool error")
    expect(answer.text).toMatch(/^Invalid arguments for tool "create_ticket": /)
    for (const field of ["title", "reporterId", "priority"]) expect(answer.text).toContain(`${field}: `)
  })

  it("a traffic spike is refused past capacity, at once, with Retry-After", async () => {
    const params = { name: "database_sleep", arguments: { seconds: 0.5 } }
    const responses = await Promise.all(
      Array.from({ length: 12 }, () =>
        post(
          scenario.server.mcpUrl,
          bodyFor("2026-07-28", "tools/call", params),
          headersFor("2026-07-28", "tools/call", params)
        )
      )
    )
    const statuses = responses.map((response) => response.status).sort()
    console.info(`step4 spike: 12 calls at once with 4 slots: ${JSON.stringify(statuses)}`)
    expect(statuses.filter((status) => status === 200)).toHaveLength(4)
    expect(
      responses.filter((response) => response.status === 503).every((r) => r.headers.get("retry-after") === "1")
    ).toBe(true)
  })

  it("the database down fails gracefully, and the rest keeps serving", async () => {
    await Effect.runPromise(scenario.database.stop)
    const answer = await callTool(scenario.server, "fetch_user", { id: 1 })
    console.info(`step4 database down: ${answer.text} (${Math.round(answer.ms)} ms)`)
    expect(answer.text).toMatch(/^Backend "tickets-db" is failing( and its circuit is open)?; retry in \d+ s\.$/)
    expect((await fetch(new URL("/healthz", scenario.server.baseUrl))).status).toBe(200)
    const listed = await send(scenario.server, "tools/list", {})
    expect((listed.message.result?.tools as Array<unknown> | undefined)?.length).toBeGreaterThan(0)
    expect(scenario.server.child.exitCode).toBe(null)
  })
})
