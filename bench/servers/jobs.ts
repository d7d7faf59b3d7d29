// The bundled server as users run it (`BulwarkServer.http`: API key, the default tenant, audit, logs, metrics) with a
// plugin of one task tool that does nothing (`noop_job`), for the jobs benchmark: what the job system itself costs.
// Tickets and reports off; `BENCH_WORKERS` workers; on `DATABASE_URL`; the first API key is `BULWARK_API_KEY`.
// Prints its port once it listens.
import { Plugin, Tool } from "@bulwark/core"
import { BulwarkServer, decodeConfig } from "@bulwark/server"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect, Layer, Schema } from "effect"
import { announcePort as announce } from "./announce.ts"

const bench = Plugin.make({
  name: "bench-jobs",
  version: "1.0.0",
  tools: [
    Tool.make("noop_job", {
      description: "Does nothing, as a background task",
      input: Schema.Struct({ n: Schema.Int }),
      task: { mode: "required" },
      handler: ({ n }) => Effect.succeed(`done ${n}`)
    })
  ]
})

Effect.gen(function* () {
  const config = yield* decodeConfig({
    http: { port: Number(process.env.PORT ?? 0) },
    plugins: { tickets: { enabled: false }, reports: { enabled: false } },
    jobs: { workers: Number(process.env.BENCH_WORKERS ?? 4), perTenant: 1000, pollInterval: "100 millis" },
    ...(process.env.DATABASE_URL === undefined ? {} : { database: { url: process.env.DATABASE_URL } }),
    ...(process.env.BULWARK_API_KEY === undefined ? {} : { bootstrapApiKey: process.env.BULWARK_API_KEY })
  })
  return yield* Layer.launch(
    Layer.provideMerge(announce, BulwarkServer.http(config, { plugins: [Plugin.install(bench, Layer.empty)] }))
  )
}).pipe(NodeRuntime.runMain)
