/**
 * The plugins a configuration enables. Each plugin owns its section under `plugins.<name>`: the server reads
 * `enabled` (default true) and `module` (a package or file whose default export is the installable plugin, for a
 * plugin the server does not bundle) and decodes the rest with the plugin's own schema, so that adding a plugin needs
 * no edit to the server's configuration schema. An unknown plugin, a module that is not a plugin, or a bad setting
 * is an error naming the field.
 */
import { createRequire } from "node:module"
import { dirname, isAbsolute, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { describeIssue, type Installable, makeDecoder, Plugin } from "@bulwark/core"
import { Postgres } from "@bulwark/plugin-postgres"
import { Reports } from "@bulwark/plugin-reports"
import { Tickets } from "@bulwark/plugin-tickets"
import { Effect, Predicate, Result } from "effect"

/** A plugin the configuration enables, with its decoded settings. */
export interface EnabledPlugin {
  readonly name: string
  readonly installable: Installable
  readonly config: unknown
  /** Where it was loaded from, for a plugin given by `module`. */
  readonly module?: string
}

/** The plugins the bundled server installs without a `module`: their sections may be left out. */
export const bundledPlugins: Readonly<Record<string, Installable>> = {
  tickets: Tickets,
  reports: Reports,
  postgres: Postgres
}

/** Where relative module paths are resolved from: the configuration file's folder, else the working directory. */
export interface PluginSource {
  readonly file: string | undefined
  readonly cwd: string
}

const isLocalPath = (specifier: string) =>
  specifier.startsWith("./") || specifier.startsWith("../") || isAbsolute(specifier)

/** Imports `specifier` (a file path or a package name) and returns its default export. */
const importDefault = (specifier: string, source: PluginSource): Effect.Effect<unknown, string> =>
  Effect.tryPromise({
    try: async () => {
      const base = source.file === undefined ? source.cwd : dirname(resolve(source.cwd, source.file))
      const location = isLocalPath(specifier)
        ? resolve(base, specifier)
        : createRequire(resolve(source.cwd, "package.json")).resolve(specifier)
      const module = (await import(pathToFileURL(location).href)) as { readonly default?: unknown }
      return module.default
    },
    catch: (error) => `cannot load ${specifier}: ${error instanceof Error ? error.message : String(error)}`
  })

/**
 * The enabled plugins of `sections` (the `plugins` mapping of the configuration): the bundled ones unless switched
 * off, and every other one that names its `module`. Fails with the list of problems, each naming its field.
 */
export const enabledPlugins = (
  sections: Readonly<Record<string, unknown>>,
  source: PluginSource,
  bundled: Readonly<Record<string, Installable>> = bundledPlugins
): Effect.Effect<ReadonlyArray<EnabledPlugin>, ReadonlyArray<string>> =>
  Effect.gen(function* () {
    const problems: Array<string> = []
    const enabled: Array<EnabledPlugin> = []
    for (const name of new Set([...Object.keys(bundled), ...Object.keys(sections)])) {
      const at = `plugins.${name}`
      const section = sections[name] ?? {}
      if (!Predicate.isObject(section) || Array.isArray(section)) {
        problems.push(`${at}: Expected an object`)
        continue
      }
      const { enabled: on = true, module, ...settings } = section as Record<string, unknown>
      if (typeof on !== "boolean") problems.push(`${at}.enabled: Expected boolean`)
      if (module !== undefined && (typeof module !== "string" || module === "")) {
        problems.push(`${at}.module: Expected a non-empty string`)
        continue
      }
      if (on === false) continue
      let installable: Installable | undefined = bundled[name]
      if (typeof module === "string") {
        const loaded = yield* Effect.result(importDefault(module, source))
        if (Result.isFailure(loaded)) {
          problems.push(`${at}.module: ${loaded.failure}`)
          continue
        }
        if (!Plugin.isInstallable(loaded.success)) {
          problems.push(
            `${at}.module: the default export of ${module} is not a plugin (export Plugin.install(...) or Plugin.configurable(...) as default)`
          )
          continue
        }
        installable = loaded.success
      }
      if (installable === undefined) {
        const known = Object.keys(bundled)
        problems.push(
          `${at}: unknown plugin (bundled: ${known.length === 0 ? "none" : known.join(", ")}); to install another, set ${at}.module to its package or file`
        )
        continue
      }
      if (installable.name !== name) {
        problems.push(`${at}.module: the plugin in ${String(module)} is named "${installable.name}"; use that name`)
        continue
      }
      const decoded = makeDecoder(Plugin.configOf(installable))(settings)
      if (Result.isFailure(decoded)) {
        problems.push(
          ...decoded.failure.map((issue) =>
            describeIssue({ ...issue, path: issue.path === "" ? at : `${at}.${issue.path}` })
          )
        )
        continue
      }
      enabled.push({
        name,
        installable,
        config: decoded.success,
        ...(typeof module === "string" ? { module } : {})
      })
    }
    return problems.length === 0 ? enabled : yield* Effect.fail(problems)
  })
