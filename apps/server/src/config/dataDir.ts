/**
 * Where the server keeps its files (the embedded database, the first API key's file): always an absolute path, so
 * that a client that starts the server from any working directory (Claude Desktop starts it from `/`) finds the same
 * data. `dataDir` in a configuration file is relative to that file; `BULWARK_DATA_DIR` to the working directory; when
 * neither sets it, next to the configuration file (`.bulwark/`), else in the user's data directory
 * (`$XDG_DATA_HOME/bulwark`, `~/.local/share/bulwark`; `~/Library/Application Support/Bulwark` on macOS;
 * `%LOCALAPPDATA%\Bulwark` on Windows). A stdio server keeps its own (`stdio/` inside it) by default: the embedded
 * database takes one process at a time, and an HTTP server may be running beside it.
 */
import { homedir } from "node:os"
import { dirname, join, resolve } from "node:path"

/** The user's data directory for Bulwark on this platform. */
export const userDataDir = (env: Readonly<Record<string, string | undefined>>): string => {
  if (process.platform === "win32") return join(env.LOCALAPPDATA ?? join(homedir(), "AppData", "Local"), "Bulwark")
  if (process.platform === "darwin") return join(homedir(), "Library", "Application Support", "Bulwark")
  const base = env.XDG_DATA_HOME
  return join(base?.startsWith("/") === true ? base : join(homedir(), ".local", "share"), "bulwark")
}

/** Where `dataDir` was set: in a configuration file, as a path of the working directory (the environment, code), or nowhere. */
export type DataDirOrigin = "file" | "workingDirectory" | "default"

/** The absolute data directory. */
export const resolveDataDir = (options: {
  readonly value: string
  readonly origin: DataDirOrigin
  readonly file: string | undefined
  readonly stdio: boolean
  readonly env: Readonly<Record<string, string | undefined>>
}): string => {
  const { value, origin, file } = options
  if (origin === "file" && file !== undefined) return resolve(dirname(resolve(file)), value)
  if (origin !== "default") return resolve(value)
  const base = file !== undefined ? resolve(dirname(resolve(file)), ".bulwark") : userDataDir(options.env)
  return options.stdio ? join(base, "stdio") : base
}
