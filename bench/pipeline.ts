/**
 * What the pipeline alone costs: the bundled server's pipeline (`BulwarkServer.core`: tenant, limits, audit rows in
 * PostgreSQL, metrics, access log, cache, idempotency, tasks, backends) serving the echo `tools/call` in-process,
 * without HTTP, authentication or the load generator. CPU µs per call; with `--allocations` an allocation profile
 * instead, and with `node --cpu-prof` a CPU profile free of the kernel's and the HTTP server's share. Log lines go to
 * stderr: run it with `2>/dev/null`.
 *
 *   node bench/pipeline.ts [--calls 40000] [--concurrency 50] [--rounds 3] [--allocations]
 */
import { writeFileSync } from "node:fs"
import { Session } from "node:inspector/promises"
import { parseArgs } from "node:util"
import { Authentication, type McpRequest, Pipeline, Plugin, servingContext, silentChannel } from "@bulwark/core"
import { createDatabase, dropDatabases } from "@bulwark/database/testing"
import { generateApiKey } from "@bulwark/identity"
import { BulwarkServer, decodeConfig } from "@bulwark/server"
import { Effect, Layer, Redacted } from "effect"
import { EchoPlugin } from "./servers/echoPlugin.ts"
import { echoSettings } from "./servers/echoSettings.ts"

const { values } = parseArgs({
  options: {
    calls: { type: "string", default: "40000" },
    concurrency: { type: "string", default: "50" },
    rounds: { type: "string", default: "3" },
    allocations: { type: "boolean", default: false }
  }
})
const calls = Number(values.calls)
const concurrency = Number(values.concurrency)

const apiKey = generateApiKey().key
const database = await createDatabase("bench_pipeline")

const program = Effect.gen(function* () {
  const config = yield* decodeConfig({
    ...echoSettings,
    database: { url: database.url },
    bootstrapApiKey: Redacted.value(apiKey)
  })
  const options = { plugins: [Plugin.install(EchoPlugin, Layer.empty)] }
  const layer = BulwarkServer.authentication(config, options).pipe(
    Layer.provideMerge(BulwarkServer.core(config, options)),
    Layer.provideMerge(BulwarkServer.observability(config, options))
  )
  return yield* Effect.gen(function* () {
    const pipeline = yield* Pipeline.Pipeline
    const authentication = yield* Authentication.Authentication
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo" } })
    const principal = yield* authentication.authenticate({
      transport: "in-process",
      method: "POST",
      path: "/mcp",
      headers: { authorization: `Bearer ${Redacted.value(apiKey)}` },
      body
    })
    const request = (id: number): McpRequest => ({
      jsonRpcId: id,
      method: "tools/call",
      params: { name: "echo", arguments: { text: "hello" } },
      meta: {},
      era: "modern",
      headers: {},
      inputResponses: {},
      principal,
      client: silentChannel
    })
    // Served as the HTTP endpoint serves: from a context with room for what each request adds.
    const served = servingContext(yield* Effect.context<never>())
    const serve = Effect.runPromiseWith(served)
    const batch = (n: number) =>
      Effect.promise(() =>
        serve(
          Effect.forEach(
            Array.from({ length: n }, (_, i) => i),
            (i) => Effect.orDie(pipeline.handle(request(i))),
            { concurrency, discard: true }
          )
        )
      )
    yield* batch(Math.min(calls, 5000))
    if (values.allocations) {
      // Every allocation, including what the young generation collects at once: where the garbage comes from.
      const session = new Session()
      session.connect()
      yield* Effect.promise(() =>
        session.post("HeapProfiler.startSampling", {
          samplingInterval: 1024,
          includeObjectsCollectedByMajorGC: true,
          includeObjectsCollectedByMinorGC: true
        })
      )
      yield* batch(calls)
      const { profile } = yield* Effect.promise(() => session.post("HeapProfiler.stopSampling"))
      const file = `bench-pipeline-${Date.now()}.heapprofile`
      writeFileSync(file, JSON.stringify(profile))
      process.stdout.write(`allocations of ${calls} calls: ${file}\n`)
      return
    }
    for (let round = 0; round < Number(values.rounds); round++) {
      const before = process.cpuUsage()
      const started = performance.now()
      yield* batch(calls)
      const used = process.cpuUsage(before)
      const elapsed = performance.now() - started
      process.stdout.write(
        `round ${round + 1}: ${((used.user + used.system) / calls).toFixed(1)} µs CPU per call, ` +
          `${Math.round((calls / elapsed) * 1000)} calls/s\n`
      )
    }
  }).pipe(Effect.provide(layer))
})

await Effect.runPromise(Effect.scoped(program))
await dropDatabases()
