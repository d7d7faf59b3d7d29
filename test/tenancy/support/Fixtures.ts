/**
 * What the tenancy tests share: two demo plugins, a server instance as the production builder composes it (real
 * catalog, pipeline with the tenancy guards and the audit log, PostgreSQL, a rate limiter in memory or on Redis),
 * requests with a principal, and tenant configurations.
 */
import { randomBytes } from "node:crypto"
import {
  type McpRequest,
  type McpResult,
  makeRequest,
  Pipeline,
  type PipelineError,
  Plugin,
  type Principal,
  Prompt,
  Resource,
  Tool
} from "@bulwark/core"
import { TestDatabase } from "@bulwark/database/testing"
import { ClientSinks } from "@bulwark/mcp"
import { BulwarkServer, decodeConfig } from "@bulwark/server"
import { TenantConfig } from "@bulwark/tenancy"
import { NodeRedis } from "@effect/platform-node"
import { Context, Effect, Exit, Latch, Layer, Metric, Queue, References, Schema, type Scope } from "effect"
import { Redis } from "effect/persistence"

/** Lets a test hold a `hold` tool call in flight: the handler reports it entered, then waits for the latch. */
export interface Gate {
  readonly entered: Queue.Queue<void>
  readonly release: Latch.Latch
}

/** A closed gate. */
export const makeGate: Effect.Effect<Gate> = Effect.gen(function* () {
  return { entered: yield* Queue.unbounded<void>(), release: yield* Latch.make(false) }
})

/** The backend `create_ticket` declares it calls (for backend kill switches). */
export const ticketStore = "ticket-store"

/** The demo plugins: `tickets` and `reports`. */
export const plugins = (gate: Gate) => [
  Plugin.make({
    name: "tickets",
    version: "1.0.0",
    tools: [
      Tool.make("create_ticket", {
        description: "Creates a ticket",
        input: Schema.Struct({ title: Schema.String }),
        backends: [ticketStore],
        handler: ({ title }) => Effect.succeed(`created ${title}`)
      }),
      Tool.make("search_tickets", {
        description: "Searches tickets",
        input: Schema.Struct({}),
        handler: () => Effect.succeed("no tickets")
      }),
      Tool.make("hold", {
        description: "Waits until the test lets it go",
        input: Schema.Struct({}),
        handler: () =>
          Queue.offer(gate.entered, undefined).pipe(Effect.andThen(gate.release.await), Effect.as("released"))
      })
    ],
    resources: [
      Resource.template("ticket://{id}", {
        name: "ticket",
        mimeType: "application/json",
        read: ({ id }) => Effect.succeed({ text: JSON.stringify({ id }) }),
        complete: { id: (value) => Effect.succeed(["1", "2"].filter((v) => v.startsWith(value))) }
      }),
      Resource.make("tickets://stats", {
        name: "ticket statistics",
        read: () => Effect.succeed({ text: "{}" })
      })
    ],
    prompts: [
      Prompt.make("triage", {
        description: "Triages a ticket",
        args: Schema.Struct({ id: Schema.String }),
        handler: ({ id }) => Effect.succeed([Prompt.user(`Triage ${id}`)])
      })
    ]
  }),
  Plugin.make({
    name: "reports",
    version: "1.0.0",
    tools: [
      Tool.make("generate_report", {
        description: "An expensive report",
        input: Schema.Struct({}),
        handler: () => Effect.succeed("report")
      })
    ],
    resources: [Resource.make("reports://latest", { name: "latest report", read: () => Effect.succeed({ text: "" }) })],
    prompts: [
      Prompt.make("summarize", {
        description: "Summarizes",
        args: Schema.Struct({}),
        handler: () => Effect.succeed([Prompt.user("Summarize")])
      })
    ]
  })
]

/** How a test server instance is built. */
export interface InstanceOptions {
  /** Rate limits (and the replay cache) shared through this Redis, as several server processes would share it. */
  readonly redisUrl?: string
  readonly gate?: Gate
  /** Tenants' idle time (as the configuration sets it) and per-tenant background work (as a composition may). */
  readonly tenants?: BulwarkServer.TenantWork & { readonly idleTimeToLive?: string }
}

/**
 * One server instance over the test database, composed by the production builder (`BulwarkServer.core`: tenancy,
 * rate limits, quotas, the audit log, the pipeline) with the demo plugins instead of the bundled ones.
 */
export const instanceLayer = (url: string, gate: Gate, options: InstanceOptions = {}) =>
  Layer.unwrap(
    Effect.map(
      decodeConfig({
        database: { url, poolSize: 4 },
        plugins: { tickets: { enabled: false }, reports: { enabled: false } },
        audit: { flushInterval: "20 millis" },
        ...(options.redisUrl === undefined ? {} : { redisUrl: options.redisUrl }),
        ...(options.tenants?.idleTimeToLive === undefined
          ? {}
          : { tenancy: { idleTimeToLive: options.tenants.idleTimeToLive } })
      }),
      (config) =>
        BulwarkServer.core(config, {
          plugins: plugins(gate).map((plugin) => Plugin.install(plugin, Layer.empty)),
          ...(options.tenants === undefined
            ? {}
            : {
                tenantWork: {
                  ...(options.tenants.background === undefined ? {} : { background: options.tenants.background }),
                  ...(options.tenants.backoff === undefined ? {} : { backoff: options.tenants.backoff })
                }
              })
        })
    )
  ).pipe(Layer.orDie)

/** The services of an instance. */
export type Instance = Layer.Success<ReturnType<typeof instanceLayer>>

/** Builds an instance on the test database for the current scope, with its own memo map (nothing shared). */
export const buildInstance = (
  options: InstanceOptions = {}
): Effect.Effect<Context.Context<Instance>, never, TestDatabase | Scope.Scope> =>
  Effect.gen(function* () {
    const { url } = yield* TestDatabase
    const gate = options.gate ?? (yield* makeGate)
    return yield* Layer.buildWithMemoMap(
      instanceLayer(url, gate, options),
      Layer.makeMemoMapUnsafe(),
      yield* Effect.scope
    )
  })

/** Runs `body` on a fresh instance. */
export const withInstance = <A, E>(
  body: Effect.Effect<A, E, Instance>,
  options: InstanceOptions = {}
): Effect.Effect<A, E, TestDatabase> =>
  Effect.scoped(Effect.flatMap(buildInstance(options), (context) => Effect.provideContext(body, context))).pipe(quiet)

/** Keeps request logs out of the test output (warnings and errors still show). */
export const quiet = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.provideService(self, References.MinimumLogLevel, "Warn")

/** The shared Redis (another via `BULWARK_TEST_REDIS_URL`). */
export const redisUrl = process.env.BULWARK_TEST_REDIS_URL ?? "redis://127.0.0.1:6379"

/** Deletes the Redis keys of tenant `tenantId` (rate limits) when the scope closes. */
export const cleanRedisOnExit = (tenantId: string): Effect.Effect<void, never, Scope.Scope> =>
  Effect.addFinalizer(() =>
    Effect.gen(function* () {
      const redis = yield* Redis.Redis
      const keys = yield* redis.send<ReadonlyArray<string>>("KEYS", `*${tenantId}*`)
      if (keys.length > 0) yield* redis.send("DEL", ...keys)
    }).pipe(Effect.provide(NodeRedis.layer({ url: redisUrl })), Effect.orDie)
  )

/** Counts the change events an instance sends its connected clients (a sink registered as a transport would). */
export const countChanges = (instance: Context.Context<Instance>) => {
  const sent = { tools: 0, resources: 0, prompts: 0 }
  Context.get(instance, ClientSinks.ClientSinks).add({
    toolsChanged: () => void sent.tools++,
    resourcesChanged: () => void sent.resources++,
    promptsChanged: () => void sent.prompts++,
    resourceUpdated: () => undefined
  })
  return sent
}

/** A unique name for this run (tenant ids, key prefixes). */
export const unique = (base: string) => `${base}-${randomBytes(4).toString("hex")}`

/** An authenticated caller of a tenant. */
export const principal = (tenantId: string, scopes: ReadonlyArray<string> = []): Principal => ({
  tenantId,
  subject: "tester",
  scopes,
  method: "api-key"
})

/** A modern request carrying a principal. */
export const request = (
  method: string,
  params: Record<string, unknown>,
  who: Principal | undefined,
  extra: Partial<McpRequest> = {}
): McpRequest => makeRequest(method, params, { ...(who === undefined ? {} : { principal: who }), ...extra })

/** Sends a request through the instance's pipeline. */
export const handle = (req: McpRequest): Effect.Effect<McpResult, PipelineError, Pipeline.Pipeline> =>
  Effect.flatMap(Pipeline.Pipeline, (pipeline) => pipeline.handle(req))

/** Sends a request and returns how it ended. */
export const attempt = (req: McpRequest) => Effect.exit(handle(req))

/** The error code of a failed request, or "ok". */
export const outcome = (exit: Exit.Exit<McpResult, PipelineError>): number | "ok" =>
  Exit.isSuccess(exit)
    ? "ok"
    : Exit.isFailure(exit) && exit.cause.reasons[0]?._tag === "Fail"
      ? exit.cause.reasons[0].error.code
      : -1

/** Calls a tool as `who`. */
export const callTool = (who: Principal, name: string, args: Record<string, unknown> = {}) =>
  attempt(request("tools/call", { name, arguments: args }, who))

/** A tenant configuration from its JSON form. */
export const tenant = (config: Record<string, unknown>): TenantConfig.TenantConfig =>
  Schema.decodeUnknownSync(TenantConfig.TenantConfig)(config)

/** The value of a counter's series with exactly these labels. */
export const counter = (metric: Metric.Counter<number>, attributes: Record<string, string>) =>
  Effect.map(Metric.value(Metric.withAttributes(metric, attributes)), (state) => state.count)

/** The error of a failed request. */
export const errorOf = (exit: Exit.Exit<McpResult, PipelineError>): PipelineError | undefined =>
  Exit.isFailure(exit) && exit.cause.reasons[0]?._tag === "Fail" ? exit.cause.reasons[0].error : undefined

/** Polls `check` every 10 ms until it holds; returns how long that took (infinity past `limitMs`). */
export const waitFor = <E, R>(check: Effect.Effect<boolean, E, R>, limitMs = 3000) =>
  Effect.gen(function* () {
    const started = Date.now()
    while (!(yield* check)) {
      if (Date.now() - started > limitMs) return Number.POSITIVE_INFINITY
      yield* Effect.sleep("10 millis")
    }
    return Date.now() - started
  })
