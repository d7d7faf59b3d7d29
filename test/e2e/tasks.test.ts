/**
 * Long-running tools as MCP tasks, end to end: two bundled servers on one real PostgreSQL serve a plugin whose tools
 * run as durable jobs (loaded by module, as users install one). A host drives a task with the official client and
 * the extension's own client package; another tenant's or principal's task id is refused exactly as a missing one;
 * a 2025 client follows the same jobs through the job tools; a cancellation stops a running task within a second;
 * a submission retried with the same idempotency key, on the other instance and while the first still runs,
 * returns the first task.
 */
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { createDatabase, dropDatabases, type FreshDatabase, query } from "@bulwark/database/testing"
import { resultFromTaskOutcome } from "@modelcontextprotocol/ext-tasks/client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { jobsFixturePlugin } from "./fixtures/jobs-plugin.ts"
import { closeAllClients, connectHttp } from "./support/clients.ts"
import { type ServerProcess, startServer, stopAllServers } from "./support/server.ts"
import { modern, settled, tasksSession } from "./support/tasks.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"
import { callAs, createTenantKeys } from "./support/tenantKeys.ts"

let database: FreshDatabase
let first: ServerProcess
let second: ServerProcess
let keys: { readonly alice: string; readonly bob: string; readonly globex: string }

beforeAll(async () => {
  database = await createDatabase("tasks")
  const workDir = await makeTempDir("tasks")
  const configFile = join(workDir, "bulwark.yaml")
  await writeFile(
    configFile,
    [
      ...jobsFixturePlugin,
      "tenancy:",
      "  tenants:",
      "    - { id: default, name: Default, tools: ['*'] }",
      "    - { id: acme, name: Acme, tools: ['*'] }",
      "    - { id: globex, name: Globex, tools: ['*'] }",
      "jobs: { lease: 3 seconds, checkInterval: 100 millis, pollInterval: 200 millis }",
      ""
    ].join("\n")
  )
  const start = () => startServer({ args: ["--config", configFile], env: { DATABASE_URL: database.url }, cwd: workDir })
  first = await start()
  second = await start()
  const acme = await createTenantKeys(database.url, ["acme", "globex"])
  const acmeAgain = await createTenantKeys(database.url, ["acme"])
  keys = { alice: acme.acme!, bob: acmeAgain.acme!, globex: acme.globex! }
}, 90_000)

afterAll(async () => {
  await closeAllClients()
  await stopAllServers()
  await dropDatabases()
  await removeTempDirs()
})

const textOf = (result: unknown) =>
  ((result as { content?: ReadonlyArray<{ type: string; text?: string }> }).content ?? [])
    .map((block) => block.text ?? "")
    .join("\n")

describe("tools that run as tasks", () => {
  it("give a host a task it drives to its result with the extension's client", async () => {
    const { session, close } = await tasksSession(first.mcpUrl, keys.alice)
    try {
      const execution = await session.callTool("count_steps", { steps: 3, stepMs: 50 })
      expect(execution.kind).toBe("task")
      const { outcome, lastTask } = await execution.settle()
      expect(outcome.status).toBe("completed")
      expect(textOf(resultFromTaskOutcome(outcome))).toBe("Counted 3 steps")
      expect(lastTask?.status).toBe("completed")
    } finally {
      await close()
    }
  }, 30_000)

  it("answer a task handle, then its progress and result on either instance", async () => {
    const created = await modern(first.mcpUrl, keys.alice, "tools/call", {
      name: "count_steps",
      arguments: { steps: 4, stepMs: 200 }
    })
    expect(created.result?.resultType).toBe("task")
    const taskId = created.result?.taskId as string
    expect(taskId).toMatch(/^[A-Za-z0-9_-]{24}$/)
    // Stored before it was answered: the other instance finds it at once.
    const immediate = await modern(second.mcpUrl, keys.alice, "tasks/get", { taskId })
    expect(immediate.result?.taskId).toBe(taskId)
    expect(["working", "completed"]).toContain(immediate.result?.status)
    const done = await settled(second.mcpUrl, keys.alice, taskId)
    expect(done?.status).toBe("completed")
    expect(textOf(done?.result)).toBe("Counted 4 steps")
    expect(done?._meta).toMatchObject({ "io.bulwark/progress": { progress: 4, total: 4 } })
  }, 30_000)

  it("refuse another tenant's and another principal's task ids exactly as a missing one", async () => {
    const created = await modern(first.mcpUrl, keys.alice, "tools/call", {
      name: "count_steps",
      arguments: { steps: 1, stepMs: 1 }
    })
    const taskId = created.result?.taskId as string
    const missing = await modern(first.mcpUrl, keys.alice, "tasks/get", { taskId: "no-such-task-0000000000000" })
    expect(missing.error).toEqual({ code: -32602, message: "Task not found" })
    for (const key of [keys.bob, keys.globex]) {
      for (const [method, params] of [
        ["tasks/get", { taskId }],
        ["tasks/cancel", { taskId }],
        ["tasks/update", { taskId, inputResponses: {} }]
      ] as const) {
        const answer = await modern(second.mcpUrl, key, method, params)
        expect(answer.error, `${method} as another caller`).toEqual(missing.error)
      }
    }
    expect((await settled(first.mcpUrl, keys.alice, taskId))?.status).toBe("completed")
  }, 30_000)

  it("refuse a client without the extension: -32021 for a task tool and for tasks/*", async () => {
    const call = await modern(
      first.mcpUrl,
      keys.alice,
      "tools/call",
      { name: "count_steps", arguments: { steps: 1, stepMs: 1 } },
      { tasks: false }
    )
    expect(call.status).toBe(400)
    expect(call.error?.code).toBe(-32021)
    expect(call.error?.data).toEqual({ requiredCapabilities: { extensions: { "io.modelcontextprotocol/tasks": {} } } })
    const get = await modern(first.mcpUrl, keys.alice, "tasks/get", { taskId: "whatever" }, { tasks: false })
    expect(get.error?.code).toBe(-32021)
  })

  it("serve 2025 clients the same jobs through the job tools", async () => {
    const started = await callAs(first.mcpUrl, keys.alice, "tools/call", {
      name: "count_steps",
      arguments: { steps: 2, stepMs: 100 }
    })
    const job = (started.message.result?._meta as Record<string, { jobId: string }> | undefined)?.["io.bulwark/job"]
    const jobId = job?.jobId as string
    expect(textOf(started.message.result)).toContain(`Started job ${jobId}`)
    const status = await callAs(second.mcpUrl, keys.alice, "tools/call", { name: "job_status", arguments: { jobId } })
    expect(["queued", "working", "completed"]).toContain(
      (status.message.result?.structuredContent as { status: string } | undefined)?.status
    )
    let result = await callAs(second.mcpUrl, keys.alice, "tools/call", { name: "job_result", arguments: { jobId } })
    for (let i = 0; i < 100 && result.message.result?.isError === true; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      result = await callAs(second.mcpUrl, keys.alice, "tools/call", { name: "job_result", arguments: { jobId } })
    }
    expect(textOf(result.message.result)).toBe("Counted 2 steps")
    const foreign = await callAs(first.mcpUrl, keys.globex, "tools/call", { name: "job_status", arguments: { jobId } })
    expect(foreign.message.result?.isError).toBe(true)
    expect(textOf(foreign.message.result)).toContain(`No job ${jobId}`)
  }, 30_000)

  it("stop a running task within a second of its cancellation, from the other instance", async () => {
    const created = await modern(first.mcpUrl, keys.alice, "tools/call", {
      name: "count_steps",
      arguments: { steps: 200, stepMs: 50 }
    })
    const taskId = created.result?.taskId as string
    const stepsOf = async () =>
      Number(
        (await query(database.url, `SELECT count(*)::int AS n FROM fixture_job_steps WHERE job_id = '${taskId}'`))[0]?.n
      )
    while ((await stepsOf()) < 3) await new Promise((resolve) => setTimeout(resolve, 50))
    const cancelledAt = Date.now()
    const ack = await modern(second.mcpUrl, keys.alice, "tasks/cancel", { taskId })
    expect(ack.result).toMatchObject({ resultType: "complete" })
    const ended = await settled(second.mcpUrl, keys.alice, taskId)
    expect(ended?.status).toBe("cancelled")
    const stoppedAt = await stepsOf()
    expect(Date.now() - cancelledAt).toBeLessThan(1500)
    await new Promise((resolve) => setTimeout(resolve, 500))
    // Nothing ran after the stop (at most the step in flight when it came).
    expect(await stepsOf()).toBeLessThanOrEqual(stoppedAt + 1)
    expect(stoppedAt).toBeLessThan(200)
  }, 30_000)

  it("return the first task to a submission retried with the same idempotency key, on the other instance, while it runs", async () => {
    const submit = (server: ServerProcess) =>
      modern(server.mcpUrl, keys.alice, "tools/call", {
        name: "count_steps",
        arguments: { steps: 10, stepMs: 100 },
        _meta: { "io.bulwark/idempotencyKey": "q4-report-once" }
      })
    const original = await submit(first)
    const taskId = original.result?.taskId as string
    const retries = await Promise.all([submit(second), submit(first), submit(second)])
    expect(retries.map((retry) => retry.result?.taskId)).toEqual([taskId, taskId, taskId])
    const running = await modern(first.mcpUrl, keys.alice, "tasks/get", { taskId })
    expect(running.result?.status).toBe("working")
    await settled(first.mcpUrl, keys.alice, taskId)
    expect((await submit(second)).result?.taskId).toBe(taskId)
    const jobs = await query(
      database.url,
      `SELECT count(*)::int AS n FROM bulwark_jobs WHERE name = 'count_steps' AND input->'arguments' = '{"steps":10,"stepMs":100}'`
    )
    expect(jobs[0]?.n).toBe(1)
  }, 30_000)

  it("count jobs and their runs on /metrics", async () => {
    const metrics = await (await fetch(new URL("/metrics", first.baseUrl))).text()
    /** The sum of a series' values over the lines that name all of `labels`. */
    const value = (series: string, ...labels: ReadonlyArray<string>) =>
      metrics
        .split("\n")
        .filter((line) => line.startsWith(`${series}{`) && labels.every((label) => line.includes(label)))
        .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0)
    expect(value("bulwark_jobs_submitted_total", 'job_name="tool count_steps"', 'tenant_id="acme"')).toBeGreaterThan(0)
    expect(value("bulwark_job_runs_total", 'job_name="tool count_steps"', 'outcome="completed"')).toBeGreaterThan(0)
    expect(value("bulwark_job_run_duration_seconds_count", 'job_name="tool count_steps"')).toBeGreaterThan(0)
    expect(metrics).toMatch(/^bulwark_jobs_running(\{[^}]*\})? \d+/m)
  })

  it("let a 2025 client wait for a job's result with job_result, its progress notified on the call's stream", async () => {
    const client = await connectHttp(first.mcpUrl, "legacy")
    const started = await client.callTool({ name: "count_steps", arguments: { steps: 6, stepMs: 150 } })
    const jobId = (started._meta?.["io.bulwark/job"] as { jobId: string } | undefined)?.jobId as string
    expect(jobId).toBeDefined()
    const notified: Array<{ progress: number; total?: number | undefined; message?: string | undefined }> = []
    const result = await client.callTool(
      { name: "job_result", arguments: { jobId, waitSeconds: 30 } },
      { onprogress: (progress) => notified.push(progress) }
    )
    expect(result.isError ?? false).toBe(false)
    expect((result.content[0] as { text: string }).text).toBe("Counted 6 steps")
    expect(notified.length).toBeGreaterThan(0)
    expect(notified.at(-1)?.total).toBe(6)
    expect(notified.map((progress) => progress.progress)).toEqual(
      [...notified.map((p) => p.progress)].sort((a, b) => a - b)
    )
  }, 30_000)
})
