// Bulwark as users run it: the production composition (`BulwarkServer.http`) with the echo plugin behind an API key,
// a tenant whose allow-list names the tool, a rate limit high enough never to refuse, a concurrency limit, the
// default timeouts and load shedding, audit records written to PostgreSQL, JSON logs at the default level, metrics,
// and a span per request (exported over OTLP only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set; `pnpm bench` does
// not). On `DATABASE_URL` when set and not empty, else an in-memory embedded database. The first API key is
// `BULWARK_API_KEY`. Prints its port on stdout once it listens. `BULWARK_BENCH_SETTINGS` (JSON, sections of the
// configuration file) replaces whole sections, to measure what a setting costs: e.g. `{"accessLog":{"mode":"none"}}`.
import { Plugin } from "@bulwark/core"
import { BulwarkServer, decodeConfig } from "@bulwark/server"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect, Layer } from "effect"
import { announcePort as announce } from "./announce.ts"
import { EchoPlugin } from "./echoPlugin.ts"
import { echoSettings } from "./echoSettings.ts"

const databaseUrl = process.env.DATABASE_URL

Effect.gen(function* () {
  const config = yield* decodeConfig({
    http: { port: Number(process.env.PORT ?? 0) },
    ...echoSettings,
    ...(databaseUrl ? { database: { url: databaseUrl } } : {}),
    ...(process.env.BULWARK_API_KEY === undefined ? {} : { bootstrapApiKey: process.env.BULWARK_API_KEY }),
    ...(JSON.parse(process.env.BULWARK_BENCH_SETTINGS ?? "{}") as Record<string, unknown>)
  })
  const server = BulwarkServer.http(config, {
    inMemory: !databaseUrl,
    plugins: [Plugin.install(EchoPlugin, Layer.empty)]
  })
  return yield* Layer.launch(Layer.provideMerge(announce, server))
}).pipe(NodeRuntime.runMain)
