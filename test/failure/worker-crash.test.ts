/**
 * A worker killed in the middle of a job (SIGKILL: no shutdown, no cleanup): the job runs again on another instance
 * once its lease runs out, and completes exactly once in effect. The tool (`count_steps` of the jobs fixture) keys
 * each step it does on the job id, so the second run does only the steps the first did not; the job's result is
 * written once, by the run that holds the job, and the job records two runs. The takeover time is printed.
 */
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { createDatabase, dropDatabases, type FreshDatabase, query } from "@bulwark/database/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { jobsFixturePlugin } from "../e2e/fixtures/jobs-plugin.ts"
import { type ServerProcess, startServer, stopAllServers } from "../e2e/support/server.ts"
import { modern, settled } from "../e2e/support/tasks.ts"
import { makeTempDir, removeTempDirs } from "../e2e/support/tempDir.ts"
import { createTenantKeys } from "../e2e/support/tenantKeys.ts"

let database: FreshDatabase
let configFile: string
let workDir: string
let key: string

beforeAll(async () => {
  database = await createDatabase("crash")
  workDir = await makeTempDir("crash")
  configFile = join(workDir, "bulwark.yaml")
  await writeFile(
    configFile,
    [
      ...jobsFixturePlugin,
      "tenancy:",
      "  tenants:",
      "    - { id: acme, name: Acme, tools: ['*'] }",
      "jobs: { lease: 2 seconds, checkInterval: 100 millis, pollInterval: 200 millis }",
      ""
    ].join("\n")
  )
}, 30_000)

afterAll(async () => {
  await stopAllServers()
  await dropDatabases()
  await removeTempDirs()
})

const start = () => startServer({ args: ["--config", configFile], env: { DATABASE_URL: database.url }, cwd: workDir })

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Step {
  readonly step: number
  readonly attempt: number
  readonly pid: number
  readonly done_at: Date
}

const stepsOf = async (jobId: string) =>
  (await query(
    database.url,
    `SELECT step, attempt, pid, done_at FROM fixture_job_steps WHERE job_id = '${jobId}' ORDER BY step`
  )) as unknown as ReadonlyArray<Step>

describe("a worker killed mid-job", () => {
  it("has its job completed once, elsewhere, without repeating what it did", async () => {
    const doomed = await start()
    key = (await createTenantKeys(database.url, ["acme"])).acme as string
    const created = await modern(doomed.mcpUrl, key, "tools/call", {
      name: "count_steps",
      arguments: { steps: 20, stepMs: 150 }
    })
    const jobId = created.result?.taskId as string
    expect(jobId).toBeDefined()
    while ((await stepsOf(jobId)).length < 5) await sleep(50)
    doomed.child.kill("SIGKILL")
    const killedAt = Date.now()
    await doomed.exited
    const beforeKill = (await stepsOf(jobId)).length

    const survivor: ServerProcess = await start()
    const done = await settled(survivor.mcpUrl, key, jobId, 60_000)
    expect(done?.status).toBe("completed")
    expect(done?.result).toMatchObject({ content: [{ type: "text", text: "Counted 20 steps" }] })

    const steps = await stepsOf(jobId)
    expect(steps.map((row) => row.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    const first = steps.filter((row) => row.attempt === 1)
    const second = steps.filter((row) => row.attempt === 2)
    expect(first.length).toBe(beforeKill)
    expect(first.every((row) => row.pid === doomed.child.pid)).toBe(true)
    expect(second.length).toBe(20 - beforeKill)
    expect(second.every((row) => row.pid === survivor.child.pid)).toBe(true)

    const [job] = await query(database.url, `SELECT attempts, status FROM bulwark_jobs WHERE id = '${jobId}'`)
    expect(job).toEqual({ attempts: 2, status: "completed" })
    // The result was written once: by the survivor, the one run that held the job when it ended.
    const completions = (server: ServerProcess) =>
      server
        .stderr()
        .split("\n")
        .filter((line) => line.includes('"message":"job completed"') && line.includes(jobId)).length
    expect(completions(doomed)).toBe(0)
    expect(completions(survivor)).toBe(1)

    const resumedAt = Math.min(...second.map((row) => new Date(row.done_at).getTime()))
    console.log(
      `worker crash: ${beforeKill} of 20 steps done before SIGKILL; the job resumed on the other instance ` +
        `${resumedAt - killedAt} ms after the kill (lease 2 s, including the new instance's start) and completed with ` +
        `each step done once (2 runs)`
    )
  }, 90_000)
})
