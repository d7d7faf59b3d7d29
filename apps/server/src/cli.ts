#!/usr/bin/env node
/**
 * The Bulwark admin CLI: `node apps/server/src/cli.ts <area> <command> [arguments] [flags]` (`--help` lists them).
 * Talks to the admin API at `--url` / `BULWARK_ADMIN_URL` (default http://127.0.0.1:3001) with the token from
 * `BULWARK_ADMIN_TOKEN`. JSON on stdout, errors on stderr; exit 0 ok, 1 refused or unreachable, 2 bad usage.
 */
import { Effect } from "effect"
import { runCli } from "./cli/runCli.ts"

const exitCode = await Effect.runPromise(
  runCli(process.argv.slice(2), process.env, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text)
  })
)
process.exitCode = exitCode
