/**
 * The conformance fixture server: the fixture plugin served over Streamable HTTP at `/mcp`, composed like the real
 * server (catalog, pipeline, endpoint, client sinks).
 *
 * `node test/conformance/fixture-server.ts` (or `pnpm conformance:serve`). Environment: `PORT` (default 3000; 0 picks
 * a free port), `HOST` (default 127.0.0.1), `LOG_LEVEL` (default Info). Logs go to stderr; once listening it logs
 * `conformance fixture listening on http://HOST:PORT/mcp`. SIGTERM/SIGINT stop it cleanly.
 */
import { createServer } from "node:http"
import { Catalog, Pipeline } from "@bulwark/core"
import { ClientSinks, Endpoint, McpHttp } from "@bulwark/mcp"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Cause, Effect, Exit, Layer, Logger, type LogLevel, References, Runtime } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import { conformancePlugin } from "./fixture-plugin.ts"

const LOG_LEVELS: ReadonlyArray<LogLevel.LogLevel> = ["All", "Trace", "Debug", "Info", "Warn", "Error", "Fatal", "None"]

const port = Number(process.env.PORT ?? 3000)
const host = process.env.HOST ?? "127.0.0.1"
const logLevel = LOG_LEVELS.find((level) => level.toLowerCase() === process.env.LOG_LEVEL?.toLowerCase()) ?? "Info"

/** The MCP route with everything behind it; one `ClientSinks` instance serves both the endpoint and the pipeline. */
export const FixtureRoutes = McpHttp.route("/mcp").pipe(
  Layer.provide(
    Endpoint.layer({
      name: "bulwark-conformance-fixture",
      version: "1.0.0",
      allowedHosts: ["localhost", "127.0.0.1"]
    })
  ),
  Layer.provide(Pipeline.layer()),
  Layer.provide(Catalog.layer([conformancePlugin])),
  Layer.provide(ClientSinks.layer)
)

const Listening = Layer.effectDiscard(
  HttpServer.addressFormattedWith((address) => Effect.logInfo(`conformance fixture listening on ${address}/mcp`))
)

const Logging = Layer.mergeAll(
  Logger.layer([Logger.withConsoleError(Logger.formatLogFmt)]),
  Layer.succeed(References.MinimumLogLevel, logLevel)
)

/** A stop requested by SIGTERM/SIGINT (an interruption, once everything is closed) is a clean exit. */
const teardown: Runtime.Teardown = (exit, onExit) =>
  Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause) ? onExit(0) : Runtime.defaultTeardown(exit, onExit)

HttpRouter.serve(FixtureRoutes, { disableListenLog: true, disableLogger: true }).pipe(
  Layer.merge(Listening),
  Layer.provide(NodeHttpServer.layer(createServer, { port, host })),
  Layer.provide(Logging),
  Layer.launch,
  NodeRuntime.runMain({ teardown })
)
