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
    const used: Array<string> = []
    for (const [name, path, convert] of overrides) {
      const value = sources.env[name]
      if (value !== undefined && value !== "") {
        setPath(merged, path, convert(value))
        used.push(name)
      }
    }
    const decoded = decode(merged)
    if (Result.isSuccess(decoded)) return decoded.success
    const source = [sources.file, used.length > 0 ? `environment (${used.join(", ")})` : undefined]
      .filter((part) => part !== undefined)
      .join(" + ")
    return yield* new ConfigInvalid({
      source: source === "" ? "defaults" : source,
      problems: describeIssues(decoded.failure).split("; ")
    })
  })
