/**
 * The conformance fixture server: the fixture plugin served by the production composition (`BulwarkServer.http`:
 * tenancy, authorization, limits, audit, metrics, logs) on an in-memory embedded database. The conformance suite
 * sends no credentials, so this server, and only it, gives every request one fixed principal of the default tenant
 * (`Authentication.fixed`); everything else is the server users run.
 *
 * `node test/conformance/fixture-server.ts` (or `pnpm conformance:serve`). Environment: `PORT` (default 3000; 0 picks
 * a free port), `HOST` (default 127.0.0.1), `LOG_LEVEL` (default info). Logs go to stderr as JSON; once listening it
 * logs `conformance fixture listening on http://HOST:PORT/mcp`. SIGTERM/SIGINT stop it cleanly.
 */
import { Authentication, Plugin } from "@bulwark/core"
import { BulwarkServer, decodeConfig } from "@bulwark/server"
import { NodeRuntime } from "@effect/platform-node"
import { Cause, Effect, Exit, Layer, Runtime } from "effect"
import { HttpServer } from "effect/http"
import { conformancePlugin } from "./fixture-plugin.ts"

const program = Effect.gen(function* () {
  const config = yield* decodeConfig({
    name: "bulwark-conformance-fixture",
    logLevel: (process.env.LOG_LEVEL ?? "info").toLowerCase(),
    http: {
      port: Number(process.env.PORT ?? 3000),
      host: process.env.HOST ?? "127.0.0.1",
      allowedHosts: ["localhost", "127.0.0.1"]
    },
    plugins: { tickets: { enabled: false }, reports: { enabled: false } }
  })
  const listening = Layer.effectDiscard(
    HttpServer.addressFormattedWith((address) => Effect.logInfo(`conformance fixture listening on ${address}/mcp`))
  )
  const server = BulwarkServer.http(config, {
    inMemory: true,
    plugins: [Plugin.install(conformancePlugin, Layer.empty)],
    authentication: Authentication.fixed({
      tenantId: "default",
      subject: "conformance-suite",
      scopes: [],
      method: "anonymous"
    })
  })
  return yield* Layer.launch(Layer.provideMerge(listening, server))
})

/** A stop requested by SIGTERM/SIGINT (an interruption, once everything is closed) is a clean exit. */
const teardown: Runtime.Teardown = (exit, onExit) =>
  Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause) ? onExit(0) : Runtime.defaultTeardown(exit, onExit)

program.pipe(NodeRuntime.runMain({ teardown }))
