/**
 * What an SRE installs beside the server: the alert rules pass `promtool check rules` and their unit tests
 * (`promtool test rules`), and every series the rules and the Grafana dashboard name is on a live server's
 * `/metrics` after the traffic they watch (tool calls, cache hits, a write that invalidates, refusals by a rate limit
 * and a quota, a refused key, a report job). Every series `/metrics` shows is in the server README's table.
 */
import { execFileSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { createDatabase, dropDatabases } from "@bulwark/database/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { root } from "./support/paths.ts"
import { type ServerProcess, startServer, stopAllServers } from "./support/server.ts"
import { modern, settled } from "./support/tasks.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"
import { callAs, createTenantKeys } from "./support/tenantKeys.ts"

const monitoring = join(root, "apps/server/deploy/monitoring")
const ours = /\b(?:mcp|bulwark|process|nodejs)_[a-z0-9_]+\b/g

/** The metric families a text names (histogram samples by their family's name). */
const namedIn = (text: string, families: ReadonlySet<string>): ReadonlySet<string> =>
  new Set(
    [...text.matchAll(ours)].map(([name]) => {
      const family = name.replace(/_(bucket|sum|count)$/, "")
      return families.has(family) ? family : name
    })
  )

let server: ServerProcess
let exposition = ""
let families: ReadonlySet<string> = new Set()

beforeAll(async () => {
  const database = await createDatabase("monitoring")
  const workDir = await makeTempDir("monitoring")
  const config = join(workDir, "bulwark.yaml")
  writeFileSync(
    config,
    [
      "plugins:",
      "  tickets: { seedDemoData: [acme] }",
      "tenancy:",
      "  tenants:",
      "    - { id: acme, name: Acme, tools: ['*'], resources: ['*'] }",
      "    - id: tight",
      "      name: Tight",
      "      tools: ['*']",
      "      limits: { rate: { requests: 2, per: 1 minute } }",
      "      quotas: { daily: 1 }",
      "jobs: { checkInterval: 100 millis, pollInterval: 200 millis }",
      ""
    ].join("\n")
  )
  server = await startServer({ args: ["--config", config], env: { DATABASE_URL: database.url }, cwd: workDir })
  const keys = await createTenantKeys(database.url, ["acme", "tight"])
  const acme = keys.acme as string
  const tight = keys.tight as string

  // Reads twice (a miss, then a hit), a write that invalidates them, a refused key, a report job.
  for (let i = 0; i < 2; i++) {
    expect((await callAs(server.mcpUrl, acme, "tools/call", { name: "list_tickets", arguments: {} })).status).toBe(200)
  }
  const ada = await callAs(server.mcpUrl, acme, "tools/call", {
    name: "fetch_user",
    arguments: { email: "ada@example.com" }
  })
  const user = ada.message.result?.structuredContent as { id: number }
  const created = await callAs(server.mcpUrl, acme, "tools/call", {
    name: "create_ticket",
    arguments: { title: "monitoring probe", reporterId: user.id }
  })
  expect(created.message.result?.isError, JSON.stringify(created.message)).not.toBe(true)
  expect((await callAs(server.mcpUrl, "bwk_not_a_key", "tools/list")).status).toBe(401)
  const today = new Date().toISOString().slice(0, 10)
  const report = await modern(server.mcpUrl, acme, "tools/call", {
    name: "generate_report",
    arguments: { from: today, to: today, format: "json" }
  })
  expect((await settled(server.mcpUrl, acme, report.result?.taskId as string))?.status).toBe("completed")

  // The tight tenant: one call, then its daily quota, then its rate limit.
  const limited = []
  for (let i = 0; i < 3; i++) {
    limited.push(await callAs(server.mcpUrl, tight, "tools/call", { name: "list_tickets", arguments: {} }))
  }
  expect(limited.map((answer) => answer.message.error?.message ?? "ok")).toEqual([
    "ok",
    expect.stringContaining("quota"),
    expect.stringContaining("rate")
  ])

  exposition = await (await fetch(new URL("/metrics", server.baseUrl))).text()
  families = new Set([...exposition.matchAll(/^# TYPE (\S+) /gm)].map(([, name]) => name as string))
}, 120_000)

afterAll(async () => {
  await stopAllServers()
  await dropDatabases()
  await removeTempDirs()
})

describe("alert rules", () => {
  it("pass promtool check rules and their unit tests", () => {
    const check = execFileSync("promtool", ["check", "rules", "alerts.yaml"], { cwd: monitoring, encoding: "utf8" })
    expect(check).toContain("SUCCESS: 11 rules found")
    const test = execFileSync("promtool", ["test", "rules", "alerts.test.yaml"], { cwd: monitoring, encoding: "utf8" })
    expect(test).toContain("SUCCESS")
  })

  it("name only series the server exports", () => {
    const named = namedIn(readFileSync(join(monitoring, "alerts.yaml"), "utf8"), families)
    expect(named.size).toBeGreaterThan(15)
    expect([...named].filter((name) => !families.has(name))).toEqual([])
  })
})

describe("the Grafana dashboard", () => {
  const dashboard = JSON.parse(readFileSync(join(monitoring, "grafana-dashboard.json"), "utf8")) as {
    readonly panels: ReadonlyArray<{
      readonly title: string
      readonly targets?: ReadonlyArray<{ readonly expr: string }>
    }>
    readonly templating: { readonly list: ReadonlyArray<{ readonly query: unknown }> }
  }

  it("queries only series the server exports, in every panel and variable", () => {
    const queries = [
      ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)),
      ...dashboard.templating.list.map((variable) => String(variable.query))
    ]
    expect(queries.length).toBeGreaterThan(30)
    const named = namedIn(queries.join("\n"), families)
    expect(named.size).toBeGreaterThan(30)
    expect([...named].filter((name) => !families.has(name))).toEqual([])
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? [])
        expect(target.expr, panel.title).toMatch(/\b(mcp|bulwark|process|nodejs)_/)
    }
  })
})

describe("/metrics", () => {
  it("shows only series the server README documents", () => {
    const readme = readFileSync(join(root, "apps/server/README.md"), "utf8")
    const section = readme.slice(readme.indexOf("## Monitoring"))
    const documented = new Set([...section.matchAll(ours)].map(([name]) => name))
    expect([...families].filter((name) => !documented.has(name))).toEqual([])
  })

  it("labels requests by method and tool, and keeps the histogram per tool, not per tenant", () => {
    expect(exposition).toMatch(
      /^mcp_requests_total\{tenant_id="acme",method="tools\/call",tool_name="list_tickets",status="success"\} 2$/m
    )
    expect(exposition).toMatch(
      /^mcp_requests_total\{tenant_id="tight",method="tools\/call",tool_name="list_tickets",status="rejected"\} 2$/m
    )
    expect(exposition).toMatch(
      /^mcp_request_duration_seconds_bucket\{method="tools\/call",tool_name="list_tickets",le="60"\} \d+$/m
    )
    expect(exposition).not.toMatch(/^mcp_request_duration_seconds\w*\{tenant_id/m)
    expect(exposition).toMatch(/^bulwark_authentication_failures_total 1$/m)
    expect(exposition).toMatch(/^bulwark_build_info\{version="\d+\.\d+\.\d+",node_version="24\.\d+\.\d+"\} 1$/m)
  })
})
