/**
 * The bundled server's command line: `[--config FILE] [--stdio] [--in-memory]`, or `--help` / `--version`. Pure: a
 * mistake (an unknown flag, a missing value, a stray argument) is a `ServerUsage` error whose message says what was
 * wrong and shows the usage, for exit code 2 rather than a stack trace.
 *
 * @since 0.1.0
 */
import { parseArgs } from "node:util"
import { Data, Result } from "effect"

/** Printed for `--help`, and after a usage error. */
export const serverUsage = `Usage: bulwark [--config FILE] [--stdio] [--in-memory]

Runs the Bulwark MCP server: Streamable HTTP on http.host:http.port (default 127.0.0.1:3000, path /mcp), or one
connection over stdin/stdout with --stdio.

  --config FILE   a YAML or JSON configuration file (also BULWARK_CONFIG); see apps/server/bulwark.example.yaml
  --stdio         serve one client over stdin/stdout, as the configured stdio tenant
  --in-memory     an embedded database in memory (nothing kept), instead of DATABASE_URL or the data directory
  --help, -h      this text
  --version, -v   the version

Environment: PORT, HOST, DATABASE_URL, REDIS_URL, LOG_LEVEL, BULWARK_DATA_DIR, BULWARK_API_KEY,
BULWARK_METRICS_TOKEN, BULWARK_ADMIN_TOKEN, BULWARK_MASTER_KEY. SIGTERM or SIGINT stops it cleanly.`

/** The command line cannot be understood; `message` says what to fix. */
export class ServerUsage extends Data.TaggedError("ServerUsage")<{ readonly message: string }> {}

/** What the command line asks for. */
export type ServerCommand =
  | { readonly _tag: "Help" }
  | { readonly _tag: "Version" }
  | { readonly _tag: "Run"; readonly config: string | undefined; readonly stdio: boolean; readonly inMemory: boolean }

/** Reads the server's arguments (without `node` and the script). */
export const parseServerArgs = (args: ReadonlyArray<string>): Result.Result<ServerCommand, ServerUsage> => {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: {
        config: { type: "string" },
        stdio: { type: "boolean", default: false },
        "in-memory": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
        version: { type: "boolean", short: "v", default: false }
      },
      strict: true,
      allowPositionals: true
    })
    if (values.help) return Result.succeed({ _tag: "Help" })
    if (values.version) return Result.succeed({ _tag: "Version" })
    if (positionals.length > 0) {
      return Result.fail(new ServerUsage({ message: `unexpected argument "${positionals[0]}"` }))
    }
    return Result.succeed({
      _tag: "Run",
      config: values.config,
      stdio: values.stdio,
      inMemory: values["in-memory"]
    })
  } catch (error) {
    // node:util's messages name the flag: "Unknown option '--port'", "Option '--config <value>' argument missing".
    const message = error instanceof Error ? error.message.replace(/\. To specify a positional.*$/s, "") : String(error)
    return Result.fail(new ServerUsage({ message }))
  }
}
