import { readFile } from "node:fs/promises"
import { describeIssues, makeDecoder } from "@bulwark/core"
import { Effect, Result } from "effect"
import { parse as parseYaml } from "yaml"
import { ConfigInvalid } from "./ConfigInvalid.ts"
import { ServerConfig } from "./ServerConfig.ts"

/** Where the configuration comes from: a file (YAML or JSON), the environment, and defaults. */
export interface ConfigSources {
  readonly file: string | undefined
  readonly env: Readonly<Record<string, string | undefined>>
}

const decode = makeDecoder(ServerConfig)

const setPath = (target: Record<string, unknown>, path: ReadonlyArray<string>, value: unknown) => {
  let node = target
  for (const key of path.slice(0, -1)) {
    const next = node[key]
    if (typeof next !== "object" || next === null) node[key] = {}
    node = node[key] as Record<string, unknown>
  }
  node[path[path.length - 1]!] = value
}

/** Environment variables that override file settings, and where they go. */
const overrides: ReadonlyArray<readonly [string, ReadonlyArray<string>, (raw: string) => unknown]> = [
  ["PORT", ["http", "port"], (raw) => (/^\d+$/.test(raw) ? Number(raw) : raw)],
  ["HOST", ["http", "host"], (raw) => raw],
  ["DATABASE_URL", ["database", "url"], (raw) => raw],
  ["REDIS_URL", ["redisUrl"], (raw) => raw],
  ["REDIS_URL", ["identity", "redisUrl"], (raw) => raw],
  ["BULWARK_MASTER_KEY", ["identity", "hmac", "masterKey"], (raw) => raw],
  ["BULWARK_ADMIN_TOKEN", ["admin", "token"], (raw) => raw],
  ["BULWARK_API_KEY", ["bootstrapApiKey"], (raw) => raw],
  ["BULWARK_METRICS_TOKEN", ["http", "metricsToken"], (raw) => raw],
  ["LOG_LEVEL", ["logLevel"], (raw) => raw.toLowerCase()],
  ["BULWARK_DATA_DIR", ["dataDir"], (raw) => raw]
]

const readFileText = (file: string) =>
  Effect.tryPromise({
    try: () => readFile(file, "utf8"),
    catch: (error) =>
      new ConfigInvalid({ source: file, problems: [`cannot read the file: ${(error as Error).message}`] })
  })

const parseText = (file: string, text: string) =>
  Effect.try({
    try: () => (file.endsWith(".json") ? JSON.parse(text) : parseYaml(text)) as unknown,
    catch: (error) =>
      new ConfigInvalid({
        source: file,
        problems: [`not valid ${file.endsWith(".json") ? "JSON" : "YAML"}: ${(error as Error).message}`]
      })
  })

/**
 * Reads, merges and validates the configuration: the file (if any), then environment overrides. A bad value is
 * reported with the file, the field and what was expected.
 */
export const loadConfig = (sources: ConfigSources): Effect.Effect<ServerConfig, ConfigInvalid> =>
  Effect.gen(function* () {
    const raw = sources.file === undefined ? {} : yield* parseText(sources.file, yield* readFileText(sources.file))
    const merged: Record<string, unknown> =
      raw === null || raw === undefined
        ? {}
        : typeof raw === "object" && !Array.isArray(raw)
          ? structuredClone(raw as Record<string, unknown>)
          : yield* new ConfigInvalid({
              source: sources.file ?? "configuration",
              problems: ["the top level must be a mapping of settings"]
            })
    // Which environment variable set which path, so that a bad value is blamed on where it came from.
    const fromEnv = new Map<string, string>()
    for (const [name, path, convert] of overrides) {
      const value = sources.env[name]
      if (value !== undefined && value !== "") {
        setPath(merged, path, convert(value))
        fromEnv.set(path.join("."), name)
      }
    }
    const decoded = decode(merged)
    if (Result.isSuccess(decoded)) {
      const config = decoded.success
      if (config.admin.enabled && config.admin.token === undefined) {
        return yield* new ConfigInvalid({
          source: sources.file ?? "defaults",
          problems: ["admin.token: required when admin.enabled is true (set BULWARK_ADMIN_TOKEN)"]
        })
      }
      return config
    }
    const blamed = new Set<string>()
    for (const issue of decoded.failure) {
      const variable = [...fromEnv].find(([path]) => issue.path === path || issue.path.startsWith(`${path}.`))?.[1]
      blamed.add(variable === undefined ? (sources.file ?? "defaults") : `environment (${variable})`)
    }
    return yield* new ConfigInvalid({
      source: [...blamed].join(" + "),
      problems: describeIssues(decoded.failure).split("; ")
    })
  })
