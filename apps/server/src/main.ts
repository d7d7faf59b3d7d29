#!/usr/bin/env node
/**
 * The bundled Bulwark server. `node apps/server/src/main.ts [--config FILE] [--stdio] [--in-memory]`.
 * Configuration: the file named by `--config` or `BULWARK_CONFIG`, then the environment (`PORT`, `HOST`,
 * `DATABASE_URL`, `REDIS_URL`, `LOG_LEVEL`, `BULWARK_DATA_DIR`).
 */
import { parseArgs } from "node:util"
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
  const config = yield* loadConfig({ file: values.config ?? process.env.BULWARK_CONFIG, env: process.env })
  const options = { inMemory: values["in-memory"] === true }
  if (values.stdio) return yield* BulwarkServer.stdio(config, options)
  yield* Effect.logInfo(`Bulwark listening on http://${config.http.host}:${config.http.port}/mcp`).pipe(
    Effect.provide(BulwarkServer.observability(config))
  )
  return yield* Layer.launch(BulwarkServer.http(config, options))
})

// SIGTERM/SIGINT interrupt the program: the HTTP server stops accepting, in-flight requests drain within
// `http.shutdownGrace`, pools and the embedded database close. That is a clean stop, so the exit code is 0.
const teardown: Runtime.Teardown = (exit, onExit) =>
  Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause) ? onExit(0) : Runtime.defaultTeardown(exit, onExit)

program.pipe(
  Effect.catchTag("ConfigInvalid", (error) =>
    Effect.sync(() => {
      process.stderr.write(`${error.message}\n`)
      process.exitCode = 2
    })
  ),
  (main) => NodeRuntime.runMain(main, { teardown })
)
