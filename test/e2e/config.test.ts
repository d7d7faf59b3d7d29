/**
 * Configuration mistakes stop the bundled server before it starts anything, with exit code 2 and a message on
 * stderr that names the source, the field and what was expected; so do command-line mistakes, with the usage.
 */
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { root } from "./support/paths.ts"
import { runServerToExit, stopAllServers } from "./support/server.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"

let dir: string

beforeAll(async () => {
  dir = await makeTempDir("config")
})

afterAll(async () => {
  await stopAllServers()
  await removeTempDirs()
})

describe("a bad configuration", () => {
  it("a YAML file with http.port: abc exits non-zero naming the file, the field and the expected type", async () => {
    const file = join(dir, "bad-port.yaml")
    await writeFile(file, 'http:\n  port: "abc"\n')
    const run = await runServerToExit(["--in-memory", "--config", file], {}, dir)
    expect(run.signal).toBeNull()
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`Invalid configuration in ${file}:`)
    expect(run.stderr).toContain("  - http.port: Expected number")
    expect(run.stdout).toBe("")
    // It stopped before starting anything.
    expect(run.stderr).not.toContain("PGlite")
    expect(run.stderr).not.toContain("Listening")
  })

  it("the file given by BULWARK_CONFIG is read like --config", async () => {
    const file = join(dir, "bad-body.json")
    await writeFile(file, JSON.stringify({ http: { port: 0, maxBodyBytes: 0 } }))
    const run = await runServerToExit(["--in-memory"], { BULWARK_CONFIG: file }, dir)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`Invalid configuration in ${file}:`)
    expect(run.stderr).toMatch(/http\.maxBodyBytes: Expected a value greater than 0/)
  })

  it("an unknown LOG_LEVEL exits non-zero naming the variable and the accepted levels", async () => {
    // A valid file that only picks a free port, so that nothing else is wrong and nothing could take port 3000.
    const file = join(dir, "port-zero.yaml")
    await writeFile(file, "http:\n  port: 0\n")
    const run = await runServerToExit(["--in-memory", "--config", file], { LOG_LEVEL: "loud" }, dir)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain("Invalid configuration in environment (LOG_LEVEL):")
    expect(run.stderr).toContain(
      '  - logLevel: Expected "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "none"'
    )
    expect(run.stderr).not.toContain("Listening")
  })

  it("a config file that does not exist exits non-zero naming it", async () => {
    const file = join(dir, "missing.yaml")
    const run = await runServerToExit(["--in-memory", "--config", file], { PORT: "0" }, dir)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`Invalid configuration in ${file}:`)
    expect(run.stderr).toContain("cannot read the file")
  })

  it("an unknown key anywhere is an error naming it and the accepted keys, not a setting silently ignored", async () => {
    const file = join(dir, "misspelt.yaml")
    await writeFile(
      file,
      [
        "htp:",
        "  port: 0",
        "tenancy:",
        "  tenants:",
        "    - id: acme",
        "      name: Acme",
        "      limits:",
        "        concurency: { permits: 2 }",
        "      quota: { daily: 10 }",
        ""
      ].join("\n")
    )
    const run = await runServerToExit(["--in-memory", "--config", file], { PORT: "0" }, dir)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`Invalid configuration in ${file}:`)
    expect(run.stderr).toMatch(/ {2}- htp: unknown key \(accepted: name, logLevel, .*http, .*\)/)
    expect(run.stderr).toMatch(
      / {2}- tenancy\.tenants\[0\]\.limits\.concurency: unknown key \(accepted: .*concurrency.*\)/
    )
    expect(run.stderr).toMatch(/ {2}- tenancy\.tenants\[0\]\.quota: unknown key \(accepted: .*quotas.*\)/)
    expect(run.stderr).not.toContain("Listening")
  })

  it("plugins are decoded with their own schema; an unknown plugin or a module that is not one is named", async () => {
    const notAPlugin = join(dir, "not-a-plugin.mjs")
    await writeFile(notAPlugin, "export default { hello: 'world' }\n")
    const file = join(dir, "plugins.yaml")
    await writeFile(
      file,
      [
        "plugins:",
        "  tickets: { seedDemoDta: false }",
        "  weather: {}",
        "  words: { module: ./not-a-plugin.mjs }",
        "  missing: { module: ./nowhere.ts }",
        ""
      ].join("\n")
    )
    const run = await runServerToExit(["--in-memory", "--config", file], { PORT: "0" }, dir)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`Invalid configuration in ${file}:`)
    expect(run.stderr).toContain("  - plugins.tickets.seedDemoDta: unknown key (accepted: seedDemoData)")
    expect(run.stderr).toContain(
      "  - plugins.weather: unknown plugin (bundled: tickets, reports, postgres); to install another, set plugins.weather.module to its package or file"
    )
    expect(run.stderr).toContain("  - plugins.words.module: the default export of ./not-a-plugin.mjs is not a plugin")
    expect(run.stderr).toContain("  - plugins.missing.module: cannot load ./nowhere.ts")
    expect(run.stderr).not.toContain("Listening")
  })
})

describe("a duplicate tenant id", () => {
  it("exits 2 naming both entries, before any database starts", async () => {
    const file = join(dir, "duplicate-tenant.yaml")
    await writeFile(
      file,
      "http:\n  port: 0\ntenancy:\n  tenants:\n    - { id: acme, name: A }\n    - { id: globex, name: G }\n    - { id: acme, name: B }\n"
    )
    const run = await runServerToExit(["--in-memory", "--config", file], {}, dir)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('  - tenancy.tenants[2].id: tenant id "acme" is already used by entry 0')
    expect(run.stderr).not.toContain("PGlite")
    expect(run.stderr).not.toContain("Using PostgreSQL")
  })
})

describe("the command line", () => {
  it("--help prints the usage and exits 0", async () => {
    const run = await runServerToExit(["--help"], {}, dir)
    expect(run.code).toBe(0)
    expect(run.stdout).toContain("Usage: bulwark [--config FILE] [--stdio] [--in-memory]")
    expect(run.stderr).toBe("")
  })

  it("--version prints the package's version", async () => {
    const run = await runServerToExit(["--version"], {}, dir)
    const pkg = JSON.parse(await readFile(join(root, "apps/server/package.json"), "utf8")) as { version: string }
    expect(run.code).toBe(0)
    expect(run.stdout).toBe(`bulwark ${pkg.version}\n`)
  })

  it("an unknown flag or a stray argument exits 2 with what was wrong and the usage, no stack trace", async () => {
    for (const [args, says] of [
      [["--port", "3000"], "bulwark: Unknown option '--port'"],
      [["--config"], "bulwark: Option '--config <value>' argument missing"],
      [["serve"], 'bulwark: unexpected argument "serve"']
    ] as const) {
      const run = await runServerToExit(args, {}, dir)
      expect(run.code).toBe(2)
      expect(run.stderr).toContain(says)
      expect(run.stderr).toContain("Usage: bulwark")
      expect(run.stderr).not.toContain("    at ")
    }
  })
})
