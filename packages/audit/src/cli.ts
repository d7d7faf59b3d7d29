/**
 * The audit CLI: `node packages/audit/src/cli.ts verify|query ...` (see `usage`). Prints JSON; exits 0 when the
 * chain verifies, 1 when it is broken, 2 on bad arguments, 3 when the database cannot be used.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { runCli } from "./cli/runCli.ts"

export { type CliCommand, CliUsageError, parseCliArgs, usage } from "./cli/CliArgs.ts"
export { ExitCode, runCli } from "./cli/runCli.ts"

if (import.meta.main) {
  Effect.runPromise(runCli(process.argv.slice(2))).then((code) => {
    process.exitCode = code
  })
}
