/**
 * The admin CLI as a real process (`node_modules/node/bin/node apps/server/src/cli.ts ...`) against the admin
 * listener of a server composed as `BulwarkServer.http` composes it, on a fresh PostgreSQL database: output, exit
 * codes, and what it never prints.
 */
import { execFile } from "node:child_process"
import { randomBytes } from "node:crypto"
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { createDatabase, dropDatabases, freePort } from "@bulwark/database/testing"
import { Effect, Exit, Layer, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as BulwarkServer from "../src/compose/BulwarkServer.ts"
import { decodeConfig } from "../src/config/loadConfig.ts"

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..")
const nodeBin = existsSync(join(root, "node_modules/node/bin/node"))
  ? join(root, "node_modules/node/bin/node")
  : process.execPath
const cliMain = join(root, "apps/server/src/cli.ts")

const label = "cli"
const adminToken = randomBytes(32).toString("base64url")
const workDir = mkdtempSync(join(tmpdir(), "bulwark-cli-"))

let scope: Scope.Closeable
let adminUrl = ""

beforeAll(async () => {
  const url = (await createDatabase(label)).url
  const port = await freePort()
  adminUrl = `http://127.0.0.1:${port}`
  const config = await Effect.runPromise(
    decodeConfig({
      database: { url, poolSize: 4 },
      http: { port: 0 },
      logLevel: "warn",
      admin: { enabled: true, port, token: adminToken },
      audit: { flushInterval: "10 millis" }
    })
  )
  const app = BulwarkServer.http(config)
  scope = Effect.runSync(Scope.make())
  await Effect.runPromise(Layer.buildWithScope(app, scope))
})

afterAll(async () => {
  if (scope !== undefined) await Effect.runPromise(Scope.close(scope, Exit.void))
  await dropDatabases()
  rmSync(workDir, { recursive: true, force: true })
})

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs the CLI with the admin URL in its environment and, unless `token` says otherwise, the admin token. */
const cli = (args: ReadonlyArray<string>, options: { readonly token?: string | null } = {}): Promise<Run> =>
  new Promise((resolve) => {
    const env: Record<string, string> = {}
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && !key.startsWith("BULWARK_") && key !== "NODE_OPTIONS") env[key] = value
    }
    env.BULWARK_ADMIN_URL = adminUrl
    const token = options.token === undefined ? adminToken : options.token
    if (token !== null) env.BULWARK_ADMIN_TOKEN = token
    execFile(nodeBin, [cliMain, ...args], { env, cwd: workDir, timeout: 15_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1
      resolve({ code, stdout, stderr })
    })
  })

const parsed = (run: Run) => JSON.parse(run.stdout) as Record<string, unknown>

describe("admin CLI", () => {
  it("exits 2 on bad usage, before any request", async () => {
    const runs = await Promise.all([
      cli([]),
      cli(["nope", "list"]),
      cli(["keys", "explode"]),
      cli(["keys", "create", "--tenant", "acme"]),
      cli(["keys", "list", "--bogus"]),
      cli(["keys", "revoke"]),
      cli(["switches", "list", "--kind", "tool"]),
      cli(["tenants", "put", "acme", "--file", join(workDir, "missing.json")]),
      cli(["keys", "list", "--url", "ftp://example.com"]),
      cli(["keys", "list"], { token: null })
    ])
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(2)
      expect(run.stdout).toBe("")
      expect(run.stderr).not.toBe("")
    }
    expect(runs[3]?.stderr).toContain('"keys create" needs --name')
    expect(runs[9]?.stderr).toContain("BULWARK_ADMIN_TOKEN is not set")
    const help = await cli(["--help"], { token: null })
    expect(help.code).toBe(0)
    expect(help.stdout).toContain("keys create --tenant t --name n")
  })

  it("puts a tenant from a file, creates a key (shown once), lists keys without it, and revokes it", async () => {
    const file = join(workDir, "acme.json")
    writeFileSync(file, JSON.stringify({ name: "Acme Corp", tools: ["fetch_user"] }))
    const put = await cli(["tenants", "put", "acme", "--file", file])
    expect(put.code, put.stderr).toBe(0)
    expect(parsed(put).change).toMatchObject({ action: "created", tenantId: "acme" })

    const tenants = await cli(["tenants", "list"])
    expect(tenants.code).toBe(0)
    expect((parsed(tenants).tenants as ReadonlyArray<{ id: string }>).map((tenant) => tenant.id)).toContain("acme")

    const created = await cli(["keys", "create", "--tenant", "acme", "--name", "ci", "--scopes", "a, b"])
    expect(created.code, created.stderr).toBe(0)
    const key = parsed(created)
    expect(key).toMatchObject({ tenantId: "acme", name: "ci", scopes: ["a", "b"], status: "active" })
    expect(key.key).toEqual(expect.stringMatching(/^bwk_/))

    const listed = await cli(["keys", "list", "--tenant", "acme"])
    expect(listed.code).toBe(0)
    expect(parsed(listed).keys).toEqual([expect.objectContaining({ keyId: key.keyId, status: "active" })])
    expect(listed.stdout).not.toContain(key.key as string)

    const revoked = await cli(["keys", "revoke", key.keyId as string])
    expect(revoked.code, revoked.stderr).toBe(0)
    expect(parsed(revoked).revoked).toMatchObject({ keyId: key.keyId, status: "revoked" })
  })

  it("exits 1 with the API's answer on stderr when the API refuses", async () => {
    const unknownKey = await cli(["keys", "revoke", "0123456789abcdef"])
    expect(unknownKey.code).toBe(1)
    expect(unknownKey.stdout).toBe("")
    expect(JSON.parse(unknownKey.stderr)).toEqual({
      status: 404,
      error: "not_found",
      message: 'No API key "0123456789abcdef"'
    })

    const badExpiry = await cli(["keys", "create", "--tenant", "acme", "--name", "x", "--expires", "someday"])
    expect(badExpiry.code).toBe(1)
    expect(JSON.parse(badExpiry.stderr)).toMatchObject({ status: 400, issues: [{ path: "expiresAt" }] })

    const wrongToken = await cli(["tenants", "list"], { token: `${adminToken}-wrong` })
    expect(wrongToken.code).toBe(1)
    expect(JSON.parse(wrongToken.stderr)).toEqual({ status: 401, error: "unauthorized" })
    expect(wrongToken.stderr).not.toContain(adminToken)

    const unreachable = await cli(["tenants", "list", "--url", "http://127.0.0.1:9"])
    expect(unreachable.code).toBe(1)
    expect(unreachable.stderr).toContain("Cannot reach the admin API at http://127.0.0.1:9")
  })

  it("sets, lists and clears a kill switch; queries and verifies the audit log", async () => {
    const set = await cli(["switches", "set", "--kind", "tool", "--name", "fetch_user", "--reason", "vendor outage"])
    expect(set.code, set.stderr).toBe(0)
    expect(parsed(set).change).toMatchObject({ action: "set", name: "fetch_user" })
    const listed = await cli(["switches", "list"])
    expect(parsed(listed).switches).toEqual([expect.objectContaining({ kind: "tool", name: "fetch_user" })])
    const cleared = await cli(["switches", "clear", "--kind", "tool", "--name", "fetch_user"])
    expect(cleared.code, cleared.stderr).toBe(0)
    expect(parsed(cleared).change).toMatchObject({ action: "cleared" })
    const perTenant = await cli([
      "switches",
      "set",
      "--kind",
      "tool",
      "--name",
      "x",
      "--tenant",
      "acme",
      "--reason",
      "r"
    ])
    expect(perTenant.code).toBe(1)

    const audit = await cli(["audit", "query", "--tenant", "acme", "--outcome", "success", "--limit", "10"])
    expect(audit.code, audit.stderr).toBe(0)
    const methods = (parsed(audit).records as ReadonlyArray<{ method: string }>).map((record) => record.method)
    expect(methods).toEqual(expect.arrayContaining(["admin/tenants.put", "admin/keys.create", "admin/keys.revoke"]))
    const badQuery = await cli(["audit", "query", "--since", "last tuesday"])
    expect(badQuery.code).toBe(1)

    const verified = await cli(["audit", "verify"])
    expect(verified.code, verified.stderr).toBe(0)
    expect(parsed(verified)).toMatchObject({ ok: true })
  })
})
