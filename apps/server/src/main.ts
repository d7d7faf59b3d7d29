#!/usr/bin/env node
/**
 * The bundled Bulwark server. `bulwark [--config FILE] [--stdio] [--in-memory]` (see `cli/ServerArgs.ts`; `bin/bulwark`
 * runs it with the Node flags it is meant to run with). Configuration: the file named by `--config` or
 * `BULWARK_CONFIG`, then the environment (`PORT`, `HOST`, `DATABASE_URL`, `REDIS_URL`, `LOG_LEVEL`,
 * `BULWARK_DATA_DIR`).
 */
import { JsonLogs } from "@bulwark/observability"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Effect, Exit, Layer, Result, Runtime } from "effect"
import { parseServerArgs, serverUsage } from "./cli/ServerArgs.ts"
import { answerStdioFailure } from "./cli/stdioFailure.ts"
import * as BulwarkServer from "./compose/BulwarkServer.ts"
import { loadConfig } from "./config/loadConfig.ts"
import { version } from "./version.ts"

const parsed = parseServerArgs(process.argv.slice(2))
if (Result.isFailure(parsed)) {
  process.stderr.write(`bulwark: ${parsed.failure.message}\n\n${serverUsage}\n`)
  process.exit(2)
}
const command = parsed.success
if (command._tag === "Help") {
  process.stdout.write(`${serverUsage}\n`)
  process.exit(0)
}
if (command._tag === "Version") {
  process.stdout.write(`bulwark ${version}\n`)
  process.exit(0)
}

/** One line on stderr, as the server's own logs are written, outside (after) the server's layers. */
const logLine = (message: string) => Effect.logInfo(message).pipe(Effect.provide(JsonLogs.layer("info")))

const program = Effect.gen(function* () {
  const configSources = { file: command.config ?? process.env.BULWARK_CONFIG, env: process.env }
  const config = yield* loadConfig(configSources, { stdio: command.stdio })
  const options = { inMemory: command.inMemory, configSources }
  if (command.stdio) return yield* BulwarkServer.stdio(config, options)
  // "Shutting down" is logged by the listener as it closes; this is the end of it.
  return yield* Layer.launch(BulwarkServer.http(config, options)).pipe(
    Effect.onInterrupt(() => logLine("Bulwark stopped"))
  )
})

// SIGTERM/SIGINT interrupt the program: the HTTP server stops accepting, in-flight requests drain within
// `http.shutdownGrace`, pools and the embedded database close. That is a clean stop, so the exit code is 0.
const teardown: Runtime.Teardown = (exit, onExit) =>
  Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause) ? onExit(0) : Runtime.defaultTeardown(exit, onExit)

// A failure that stops the server (database unreachable, data dir locked, port taken) is reported as one JSON line on
// stderr. The runtime's own report goes through the default logger, which writes to stdout: in --stdio mode that is
// the protocol channel, where the client would drop the line and the reason would be lost.
const reportFailure = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.tapCause(self, (cause) =>
    Cause.hasInterruptsOnly(cause)
      ? Effect.void
      : Effect.logError("Bulwark stopped on an error", cause).pipe(Effect.provide(JsonLogs.layer("error")))
  )

/** Over stdio, the client is told why the server stops (see `cli/stdioFailure.ts`). */
const tellStdioClient = (reason: string) =>
  command.stdio ? Effect.promise(() => answerStdioFailure(reason.split("\n")[0] ?? reason)) : Effect.void

program.pipe(
  Effect.catchTag("ConfigInvalid", (error) =>
    Effect.sync(() => {
      process.stderr.write(`${error.message}\n`)
      process.exitCode = 2
    }).pipe(Effect.andThen(tellStdioClient(error.message.replaceAll("\n", " "))))
  ),
  Effect.tapCause((cause) =>
    Cause.hasInterruptsOnly(cause) ? Effect.void : tellStdioClient(String(Cause.squash(cause)))
  ),
  reportFailure,
  (main) => NodeRuntime.runMain(main, { teardown, disableErrorReporting: true })
)
