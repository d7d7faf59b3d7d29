#!/usr/bin/env node
/**
 * The bundled Bulwark server. `node apps/server/src/main.ts [--config FILE] [--stdio] [--in-memory]`.
 * Configuration: the file named by `--config` or `BULWARK_CONFIG`, then the environment (`PORT`, `HOST`,
 * `DATABASE_URL`, `REDIS_URL`, `LOG_LEVEL`, `BULWARK_DATA_DIR`).
 */
import { parseArgs } from "node:util"
import { JsonLogs } from "@bulwark/observability"
import { NodeRuntime } from "@effect/platform-node"
import { Cause, Effect, Exit, Layer, Runtime } from "effect"
import * as BulwarkServer from "./compose/BulwarkServer.ts"
import { loadConfig } from "./config/loadConfig.ts"

const { values } = parseArgs({
  options: {
    config: { type: "string" },
    stdio: { type: "boolean", default: false },
    "in-memory": { type: "boolean", default: false }
  },
  strict: true
})

const program = Effect.gen(function* () {
  const configSources = { file: values.config ?? process.env.BULWARK_CONFIG, env: process.env }
  const config = yield* loadConfig(configSources)
  const options = { inMemory: values["in-memory"] === true, configSources }
  if (values.stdio) return yield* BulwarkServer.stdio(config, options)
  return yield* Layer.launch(BulwarkServer.http(config, options))
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

program.pipe(
  Effect.catchTag("ConfigInvalid", (error) =>
    Effect.sync(() => {
      process.stderr.write(`${error.message}\n`)
      process.exitCode = 2
    })
  ),
  reportFailure,
  (main) => NodeRuntime.runMain(main, { teardown, disableErrorReporting: true })
)
