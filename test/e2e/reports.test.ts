/**
 * The reports plugin on the bundled server over a real PostgreSQL holding 100,000 tickets of one tenant: an agent
 * asks for a quarter's report, gets a task back, watches its progress, and reads the result (and `report://{id}`);
 * a 2025 client gets the same report through the job tools; the figures agree with the database; a running report is
 * stopped within a second of its cancellation, and keeps nothing.
 */
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { createDatabase, dropDatabases, type FreshDatabase, query } from "@bulwark/database/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type ServerProcess, startServer, stopAllServers } from "./support/server.ts"
import { modern, settled } from "./support/tasks.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"
import { callAs, createTenantKeys } from "./support/tenantKeys.ts"

const TICKETS = 100_000

let database: FreshDatabase
let server: ServerProcess
let key: string

/** The day `days` before today (UTC), YYYY-MM-DD. */
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10)

/**
 * 40 users and 100,000 tickets spread over the last 400 days, with every status but `deleted` and every priority,
 * three in four assigned; two in three have a first response by another user within two days.
 */
const seed = async () => {
  await query(
    database.url,
    `INSERT INTO users (tenant_id, email, name)
     SELECT 'acme', 'agent' || i || '@acme.example', 'Agent ' || i FROM generate_series(1, 40) AS i`
  )
  // One statement per call (the extended protocol takes one); the data are random, the checks read them back.
  await query(
    database.url,
    `INSERT INTO tickets (tenant_id, title, status, priority, assignee_id, reporter_id, created_at, updated_at)
     SELECT 'acme', 'Ticket ' || i,
            (ARRAY['open', 'in_progress', 'resolved', 'closed'])[1 + floor(random() * 4)::int],
            (ARRAY['low', 'medium', 'high', 'urgent'])[1 + floor(random() * 4)::int],
            CASE WHEN random() < 0.75 THEN (SELECT min(id) FROM users WHERE tenant_id = 'acme') + floor(random() * 40)::int END,
            (SELECT min(id) FROM users WHERE tenant_id = 'acme') + floor(random() * 40)::int,
            created, created + random() * interval '10 days'
     FROM (SELECT i, now() - random() * interval '400 days' AS created FROM generate_series(1, ${TICKETS}) AS i) AS t`
  )
  await query(
    database.url,
    `INSERT INTO ticket_comments (tenant_id, ticket_id, author_id, body, created_at)
     SELECT t.tenant_id, t.id,
            CASE WHEN t.reporter_id = u.first THEN u.first + 1 ELSE u.first END,
            'Looking into it', t.created_at + random() * interval '2 days'
     FROM tickets t, (SELECT min(id) AS first FROM users WHERE tenant_id = 'acme') u
     WHERE t.tenant_id = 'acme' AND t.id % 3 <> 0`
  )
}

beforeAll(async () => {
  database = await createDatabase("reports")
  const workDir = await makeTempDir("reports")
  const configFile = join(workDir, "bulwark.yaml")
  await writeFile(
    configFile,
    [
      "plugins:",
      "  tickets: { seedDemoData: false }",
      "tenancy:",
      "  tenants:",
      "    - { id: acme, name: Acme, tools: ['*'], resources: ['*'] }",
      "jobs: { checkInterval: 100 millis, pollInterval: 200 millis }",
      ""
    ].join("\n")
  )
  server = await startServer({ args: ["--config", configFile], env: { DATABASE_URL: database.url }, cwd: workDir })
  key = (await createTenantKeys(database.url, ["acme"])).acme as string
  await seed()
}, 120_000)

afterAll(async () => {
  await stopAllServers()
  await dropDatabases()
  await removeTempDirs()
})

const quarter = { from: daysAgo(91), to: daysAgo(1) }

const textOf = (result: unknown) =>
  ((result as { content?: ReadonlyArray<{ type: string; text?: string }> }).content ?? [])
    .filter((block) => block.type === "text")
    .map((block) => block.text ?? "")
    .join("\n")

describe("ticket reports", () => {
  it("run as a task an agent polls, with progress, to a report that agrees with the database", async () => {
    const started = Date.now()
    const created = await modern(server.mcpUrl, key, "tools/call", {
      name: "generate_report",
      arguments: { ...quarter, format: "json" }
    })
    expect(created.result?.resultType, JSON.stringify(created)).toBe("task")
    const taskId = created.result?.taskId as string
    const seen: Array<string> = []
    let done: Record<string, unknown> | undefined
    while (done === undefined) {
      const answer = await modern(server.mcpUrl, key, "tasks/get", { taskId })
      const status = answer.result?.status as string
      if (typeof answer.result?.statusMessage === "string") seen.push(answer.result.statusMessage)
      if (status === "completed" || status === "failed" || status === "cancelled") done = answer.result
      else await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const tookMs = Date.now() - started
    expect(done.status, JSON.stringify(done)).toBe("completed")
    expect(seen.some((message) => message.startsWith("backlog on "))).toBe(true)

    const result = done.result as { content: ReadonlyArray<{ type: string; uri?: string; mimeType?: string }> }
    const report = JSON.parse(textOf(result))
    const [counts] = await query(
      database.url,
      `SELECT count(*)::int AS created FROM tickets WHERE tenant_id = 'acme'
       AND created_at >= '${quarter.from}' AND created_at < ('${quarter.to}'::date + 1)`
    )
    expect(report.volumes.created).toBe(counts?.created)
    expect(report.volumes.created).toBeGreaterThan(15_000)
    expect(Object.keys(report.volumes.byStatus).sort()).toEqual(["closed", "in_progress", "open", "resolved"])
    expect(report.backlogByDay).toHaveLength(91)
    expect(report.firstResponse.tickets + report.firstResponse.unanswered).toBe(report.volumes.created)
    expect(report.firstResponse.medianHours).toBeGreaterThan(0)
    expect(report.firstResponse.medianHours).toBeLessThan(48)
    expect(report.backlogByAssignee[0].open + report.backlogByAssignee[0].inProgress).toBeGreaterThan(0)

    const link = result.content.find((block) => block.type === "resource_link")
    expect(link?.uri).toBe(`report://${taskId}`)
    const read = await modern(server.mcpUrl, key, "resources/read", { uri: `report://${taskId}` }, { tasks: false })
    const contents = (read.result?.contents as ReadonlyArray<{ text: string; mimeType: string }> | undefined)?.[0]
    expect(contents?.mimeType).toBe("application/json")
    expect(JSON.parse(contents?.text ?? "{}")).toEqual(report)
    console.log(
      `reports: a ${quarter.from} – ${quarter.to} report over ${TICKETS} tickets (${report.volumes.created} in the ` +
        `period) took ${tookMs} ms as a task, ${seen.length} progress polls`
    )
  }, 60_000)

  it("reach a 2025 client through the job tools, in Markdown", async () => {
    const started = await callAs(server.mcpUrl, key, "tools/call", {
      name: "generate_report",
      arguments: { from: daysAgo(30), to: daysAgo(1) }
    })
    const jobId = (started.message.result?._meta as Record<string, { jobId: string }> | undefined)?.["io.bulwark/job"]
      ?.jobId as string
    expect(jobId).toBeDefined()
    let result = await callAs(server.mcpUrl, key, "tools/call", { name: "job_result", arguments: { jobId } })
    for (let i = 0; i < 300 && result.message.result?.isError === true; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      result = await callAs(server.mcpUrl, key, "tools/call", { name: "job_result", arguments: { jobId } })
    }
    const markdown = textOf(result.message.result)
    expect(markdown).toContain(`# Ticket report ${daysAgo(30)} – ${daysAgo(1)}`)
    expect(markdown).toContain("## Backlog per day")
  }, 60_000)

  it("stop within a second of a cancellation, keeping nothing", async () => {
    const created = await modern(server.mcpUrl, key, "tools/call", {
      name: "generate_report",
      arguments: { from: daysAgo(366), to: daysAgo(1), format: "csv" }
    })
    const taskId = created.result?.taskId as string
    for (;;) {
      const answer = await modern(server.mcpUrl, key, "tasks/get", { taskId })
      if (String(answer.result?.statusMessage ?? "").startsWith("backlog on ")) break
      expect(answer.result?.status).toBe("working")
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const cancelledAt = Date.now()
    await modern(server.mcpUrl, key, "tasks/cancel", { taskId })
    const ended = await settled(server.mcpUrl, key, taskId)
    const stoppedMs = Date.now() - cancelledAt
    expect(ended?.status).toBe("cancelled")
    expect(stoppedMs).toBeLessThan(1000)
    const kept = await query(database.url, `SELECT count(*)::int AS n FROM reports WHERE id = '${taskId}'`)
    expect(kept[0]?.n).toBe(0)
    console.log(`reports: a year's report cancelled mid-way stopped ${stoppedMs} ms after tasks/cancel`)
  }, 60_000)
})
