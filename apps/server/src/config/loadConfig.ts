/**
 * Reading the configuration: a YAML or JSON file, then environment overrides, decoded with every problem reported
 * by the source that set the value (the file or the variable), the field and what was expected; then the plugins it
 * enables are resolved (bundled ones, and modules loaded by name) and their sections decoded with their own schemas.
 */
import { readFile } from "node:fs/promises"
import { describeIssue, type Installable, makeDecoder } from "@bulwark/core"
import { Effect, Result } from "effect"
import { parse as parseYaml } from "yaml"
import { bundledPlugins, enabledPlugins } from "../plugins/PluginSettings.ts"
import { ConfigInvalid } from "./ConfigInvalid.ts"
import { type DataDirOrigin, resolveDataDir } from "./dataDir.ts"
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
 * How plugins are found: those installed without a `module`, by name (the bundled plugins by default); and whether
 * the server will serve stdio (its default data directory is its own: see `dataDir.ts`).
 */
export interface LoadOptions {
  readonly plugins?: Readonly<Record<string, Installable>>
  readonly stdio?: boolean
}

/** Where a configuration's values came from, to blame a bad value on its source. */
interface Origins {
  /** The file, when there is one. */
  readonly file: string | undefined
  /** Which environment variable set which dotted path. */
  readonly fromEnv: ReadonlyMap<string, string>
  /** Where `dataDir` was set. */
  readonly dataDir: DataDirOrigin
  readonly env: Readonly<Record<string, string | undefined>>
}

const decodeWith = (
  raw: Readonly<Record<string, unknown>>,
  origins: Origins,
  options: LoadOptions
): Effect.Effect<ServerConfig, ConfigInvalid> =>
  Effect.gen(function* () {
    const decoded = decode(raw)
    const source = origins.file ?? "defaults"
    if (Result.isFailure(decoded)) {
      const blamed = new Set<string>()
      for (const issue of decoded.failure) {
        const variable = [...origins.fromEnv].find(
          ([path]) => issue.path === path || issue.path.startsWith(`${path}.`)
        )?.[1]
        blamed.add(variable === undefined ? source : `environment (${variable})`)
      }
      return yield* new ConfigInvalid({ source: [...blamed].join(" + "), problems: decoded.failure.map(describeIssue) })
    }
    const config = decoded.success
    if (config.admin.enabled && config.admin.token === undefined) {
      return yield* new ConfigInvalid({
        source,
        problems: ["admin.token: required when admin.enabled is true (set BULWARK_ADMIN_TOKEN)"]
      })
    }
    const plugins = yield* enabledPlugins(
      config.plugins,
      { file: origins.file, cwd: process.cwd() },
      options.plugins ?? bundledPlugins
    ).pipe(Effect.mapError((problems) => new ConfigInvalid({ source, problems })))
    const dataDir = resolveDataDir({
      value: config.dataDir,
      origin: origins.dataDir,
      file: origins.file,
      stdio: options.stdio === true,
      env: origins.env
    })
    return { ...config, dataDir, plugins }
  })

/**
 * Decodes a configuration given as a value (what a file would hold), for compositions and tests that build it in
 * code: the same rules and messages as `loadConfig`, without file or environment.
 */
export const decodeConfig = (raw: unknown, options: LoadOptions = {}): Effect.Effect<ServerConfig, ConfigInvalid> =>
  typeof raw === "object" && raw !== null && !Array.isArray(raw)
    ? decodeWith(
        raw as Record<string, unknown>,
        {
          file: undefined,
          fromEnv: new Map(),
          dataDir: (raw as Record<string, unknown>).dataDir === undefined ? "default" : "workingDirectory",
          env: process.env
        },
        options
      )
    : Effect.fail(
        new ConfigInvalid({ source: "configuration", problems: ["the top level must be a mapping of settings"] })
      )

/**
 * Reads, merges and validates the configuration: the file (if any), then environment overrides, then the plugins it
 * enables. A bad value is reported with the file, the field and what was expected.
 */
export const loadConfig = (
  sources: ConfigSources,
  options: LoadOptions = {}
): Effect.Effect<ServerConfig, ConfigInvalid> =>
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
    const fromEnv = new Map<string, string>()
    const dataDir: DataDirOrigin = merged.dataDir !== undefined ? "file" : "default"
    for (const [name, path, convert] of overrides) {
      const value = sources.env[name]
      if (value !== undefined && value !== "") {
        setPath(merged, path, convert(value))
        fromEnv.set(path.join("."), name)
      }
    }
    return yield* decodeWith(
      merged,
      { file: sources.file, fromEnv, dataDir: fromEnv.has("dataDir") ? "workingDirectory" : dataDir, env: sources.env },
      options
    )
  })
