/**
 * A thousand jobs across two bundled servers on one real PostgreSQL: submitted half to each (as tasks, over HTTP),
 * run by the workers of both, none lost and none run twice. The tool (`record_job` of the jobs fixture) counts the
 * runs of its job in the database; every job must end `completed` with one run, and both instances must have run
 * some. Prints the throughput.
 */
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { createDatabase, dropDatabases, type FreshDatabase, query } from "@bulwark/database/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { jobsFixturePlugin } from "./fixtures/jobs-plugin.ts"
import { type ServerProcess, startServer, stopAllServers } from "./support/server.ts"
import { modern } from "./support/tasks.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"
import { createTenantKeys } from "./support/tenantKeys.ts"

const JOBS = 1000

let database: FreshDatabase
let servers: ReadonlyArray<ServerProcess>
let key: string

beforeAll(async () => {
  database = await createDatabase("jobscale")
  const workDir = await makeTempDir("jobscale")
  const configFile = join(workDir, "bulwark.yaml")
  await writeFile(
    configFile,
    [
      ...jobsFixturePlugin,
      "tenancy:",
      "  tenants:",
      "    - { id: acme, name: Acme, tools: ['*'] }",
      "jobs: { workers: 4, perTenant: 16, pollInterval: 200 millis }",
      "accessLog: { mode: failures }",
      ""
    ].join("\n")
  )
  const start = () => startServer({ args: ["--config", configFile], env: { DATABASE_URL: database.url }, cwd: workDir })
  servers = [await start(), await start()]
  key = (await createTenantKeys(database.url, ["acme"])).acme as string
}, 60_000)

afterAll(async () => {
  await stopAllServers()
  await dropDatabases()
  await removeTempDirs()
})

describe("a thousand jobs on two instances", () => {
  it("all complete, each run once, on both instances", async () => {
    const started = Date.now()
    const ids: Array<string> = []
    let next = 0
    const submitter = async () => {
      while (next < JOBS) {
        const n = next++
        const server = servers[n % 2] as ServerProcess
        const answer = await modern(server.mcpUrl, key, "tools/call", { name: "record_job", arguments: { n } })
        expect(answer.result?.resultType, JSON.stringify(answer)).toBe("task")
        ids.push(answer.result?.taskId as string)
      }
    }
    await Promise.all(Array.from({ length: 16 }, submitter))
    const submittedMs = Date.now() - started
    expect(new Set(ids).size).toBe(JOBS)

    const deadline = Date.now() + 120_000
    let open = JOBS
    while (open > 0 && Date.now() < deadline) {
      const [row] = await query(
        database.url,
        "SELECT count(*)::int AS open FROM bulwark_jobs WHERE status NOT IN ('completed', 'failed', 'cancelled')"
      )
      open = Number(row?.open)
      if (open > 0) await new Promise((resolve) => setTimeout(resolve, 200))
    }
    const doneMs = Date.now() - started
    expect(open).toBe(0)

    const statuses = await query(database.url, "SELECT status, count(*)::int AS n FROM bulwark_jobs GROUP BY status")
    expect(statuses).toEqual([{ status: "completed", n: JOBS }])
    const [runs] = await query(
      database.url,
      "SELECT count(*)::int AS jobs, sum(runs)::int AS runs, max(runs)::int AS most, count(DISTINCT pid)::int AS pids FROM fixture_job_runs"
    )
    expect(runs).toEqual({ jobs: JOBS, runs: JOBS, most: 1, pids: 2 })
    const [numbers] = await query(database.url, "SELECT count(DISTINCT n)::int AS n FROM fixture_job_runs")
    expect(numbers?.n).toBe(JOBS)
    console.log(
      `jobs: ${JOBS} submitted in ${submittedMs} ms (${Math.round((JOBS * 1000) / submittedMs)}/s), all completed ` +
        `after ${doneMs} ms (${Math.round((JOBS * 1000) / doneMs)}/s end to end) on two instances, each run once`
    )
  }, 180_000)
})
