// The bundled server as users run it with its own tickets plugin (`BulwarkServer.http`: API key, the default tenant,
// audit rows in PostgreSQL, JSON logs, metrics), for the cache benchmark: `BENCH_CACHE=off` turns the cache off
// (`cache.enabled: false`); `BENCH_CACHE=l2` keeps nothing in process (`cache.maxBytes: 1`) so that every hit comes
// from Redis (`REDIS_URL`). On `DATABASE_URL`; the first API key is `BULWARK_API_KEY`. Prints its port once it listens.
import { BulwarkServer, decodeConfig } from "@bulwark/server"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect, Layer } from "effect"
import { announcePort as announce } from "./announce.ts"

Effect.gen(function* () {
  const config = yield* decodeConfig({
    http: { port: Number(process.env.PORT ?? 0) },
    cache: { enabled: process.env.BENCH_CACHE !== "off", ...(process.env.BENCH_CACHE === "l2" ? { maxBytes: 1 } : {}) },
    ...(process.env.BENCH_CACHE === "l2" && process.env.REDIS_URL !== undefined
      ? { redisUrl: process.env.REDIS_URL }
      : {}),
    ...(process.env.DATABASE_URL === undefined ? {} : { database: { url: process.env.DATABASE_URL } }),
    ...(process.env.BULWARK_API_KEY === undefined ? {} : { bootstrapApiKey: process.env.BULWARK_API_KEY })
  })
  return yield* Layer.launch(Layer.provideMerge(announce, BulwarkServer.http(config)))
}).pipe(NodeRuntime.runMain)
