/**
 * The fast path answers exactly what the SDK path answers. One endpoint (one pipeline) is served twice over real
 * sockets: by `McpNodeServer` (the fast path, the SDK path for what it leaves alone) and by the HTTP router alone
 * (the SDK path for everything). The same raw requests, in both protocol eras, must get the same status, content
 * type, `Retry-After` and JSON body from both; and the requests the fast path is for must really have taken it.
 */
import { createServer } from "node:http"
import { Catalog, limitExceeded, Pipeline, Plugin, Stage, Tool, ToolError } from "@bulwark/core"
import { ClientSinks, Endpoint, McpHttp, McpNodeServer } from "@bulwark/mcp"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Logger, Schema, type Scope } from "effect"
import { HttpRouter, HttpServer } from "effect/http"

const demo = Plugin.make({
  name: "demo",
  version: "1.0.0",
  tools: [
    Tool.make("add", {
      description: "Adds two numbers",
      input: Schema.Struct({ a: Schema.Number, b: Schema.Number }),
      output: Schema.Struct({ sum: Schema.Number }),
      handler: ({ a, b }) => Effect.succeed({ sum: a + b })
    }),
    Tool.make("refuse", {
      description: "Fails with a declared error",
      input: Schema.Struct({}),
      errors: [ToolError],
      handler: () => Effect.fail(new ToolError({ message: "no such ticket" }))
    }),
    Tool.make("boom", {
      description: "Dies",
      input: Schema.Struct({}),
      handler: () => Effect.die(new Error("kaput"))
    }),
    Tool.make("limited", {
      description: "Refused by the test's limit stage",
      input: Schema.Struct({}),
      handler: () => Effect.succeed("never")
    }),
    Tool.make("confirm", {
      description: "Asks the user before answering",
      input: Schema.Struct({}),
      handler: (_, ctx) =>
        Effect.sync(() => {
          confirmRuns += 1
        }).pipe(
          Effect.andThen(ctx.elicit("ok", { message: "Proceed?", schema: Schema.Struct({ confirm: Schema.Boolean }) })),
          Effect.map((o) => (o.action === "accept" ? "confirmed" : "not confirmed"))
        )
    })
  ]
})

/** How often `confirm` ran: a call the fast path hands to the SDK settled must not run again. */
let confirmRuns = 0

/** A limit stage that refuses the `limited` tool, as a rate limit would (in-band with Retry-After over HTTP). */
const limit = Stage.make(
  "test-limit",
  "limit",
  (next) => (call) =>
    call.target._tag === "ToolCall" && call.target.name === "limited"
      ? Effect.fail(limitExceeded("rate-limit", { limit: "test rate", retryAfterMs: 1500 }))
      : next(call)
)

const EndpointLive = Endpoint.layer({ name: "test", version: "0.0.1", maxBodyBytes: 10_000 }).pipe(
  Layer.provideMerge(Pipeline.layer({ ...Pipeline.defaultConfig, stages: [limit] })),
  Layer.provide(Catalog.layer([demo])),
  Layer.provideMerge(ClientSinks.layer),
  Layer.provideMerge(Logger.layer([]))
)

/** Serves the endpoint with `server` and returns its base URL. */
const listen = (
  server: Layer.Layer<HttpServer.HttpServer, unknown, Endpoint.Endpoint>
): Effect.Effect<string, unknown, Endpoint.Endpoint | Scope.Scope> =>
  Effect.gen(function* () {
    const context = yield* Layer.build(HttpRouter.serve(McpHttp.route("/mcp")).pipe(Layer.provideMerge(server)))
    const address = Context.get(context, HttpServer.HttpServer).address
    if (address._tag === "UnixPathAddress") return yield* Effect.die("not TCP")
    return `http://127.0.0.1:${address.port}/mcp`
  })

interface Exchange {
  readonly status: number
  readonly contentType: string | null
  readonly retryAfter: string | null
  /** Whether the answer came with a Content-Length: the fast path's answers do, the router's are chunked. */
  readonly sized: boolean
  readonly body: unknown
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g

/** The body with what differs between any two runs blanked: request ids, sealed request states. */
const comparable = (text: string): unknown =>
  text === ""
    ? ""
    : JSON.parse(text.replace(UUID, "<uuid>"), (key, value) => (key === "requestState" ? "<sealed>" : value))

const post = (url: string, headers: Record<string, string>, body: unknown) =>
  Effect.promise(async (): Promise<Exchange> => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body)
    })
    const text = await response.text()
    return {
      status: response.status,
      contentType: response.headers.get("content-type"),
      retryAfter: response.headers.get("retry-after"),
      sized: response.headers.get("content-length") !== null,
      body: comparable(text)
    }
  })

const envelope = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "differential", version: "1.0.0" },
  "io.modelcontextprotocol/clientCapabilities": {}
}

const modernHeaders = (name: string): Record<string, string> => ({
  accept: "application/json, text/event-stream",
  "mcp-protocol-version": "2026-07-28",
  "mcp-method": "tools/call",
  "mcp-name": name
})

const legacyHeaders = { accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25" }

const modernCall = (id: number | string, name: string, args: unknown, meta: Record<string, unknown> = {}) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name, arguments: args, _meta: { ...envelope, ...meta } }
})

const legacyCall = (id: number | string, name: string, args?: unknown, meta?: Record<string, unknown>) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name, ...(args === undefined ? {} : { arguments: args }), ...(meta === undefined ? {} : { _meta: meta }) }
})

interface Case {
  readonly name: string
  readonly headers: Record<string, string>
  readonly body: unknown
  /**
   * Who answers: the fast path (`fast`), the fast path running the call and the SDK encoding its outcome
   * (`settled`: an input-required result), or the SDK path alone (`sdk`).
   */
  readonly path: "fast" | "settled" | "sdk"
}

const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

const cases: ReadonlyArray<Case> = [
  { name: "2026 success", headers: modernHeaders("add"), body: modernCall(1, "add", { a: 2, b: 3 }), path: "fast" },
  {
    name: "2026 string id",
    headers: modernHeaders("add"),
    body: modernCall("x-1", "add", { a: 1, b: 1 }),
    path: "fast"
  },
  {
    name: "2026 trace context in _meta",
    headers: modernHeaders("add"),
    body: modernCall(2, "add", { a: 1, b: 2 }, { traceparent }),
    path: "fast"
  },
  {
    name: "2026 invalid arguments",
    headers: modernHeaders("add"),
    body: modernCall(3, "add", { a: "x" }),
    path: "fast"
  },
  { name: "2026 declared error", headers: modernHeaders("refuse"), body: modernCall(4, "refuse", {}), path: "fast" },
  { name: "2026 unknown tool", headers: modernHeaders("nope"), body: modernCall(5, "nope", {}), path: "fast" },
  { name: "2026 defect", headers: modernHeaders("boom"), body: modernCall(6, "boom", {}), path: "fast" },
  { name: "2026 refused limit", headers: modernHeaders("limited"), body: modernCall(7, "limited", {}), path: "fast" },
  {
    name: "2026 input required, capability not declared",
    headers: modernHeaders("confirm"),
    body: modernCall(8, "confirm", {}),
    path: "settled"
  },
  {
    name: "2026 input required",
    headers: modernHeaders("confirm"),
    body: modernCall(8, "confirm", {}, { "io.modelcontextprotocol/clientCapabilities": { elicitation: { form: {} } } }),
    path: "settled"
  },
  {
    name: "2026 progress token",
    headers: modernHeaders("add"),
    body: modernCall(9, "add", { a: 1, b: 1 }, { progressToken: "p1" }),
    path: "sdk"
  },
  {
    name: "2026 Mcp-Name mismatch",
    headers: modernHeaders("other"),
    body: modernCall(10, "add", { a: 1, b: 1 }),
    path: "sdk"
  },
  {
    name: "2026 missing Mcp-Name",
    headers: { ...modernHeaders("add"), "mcp-name": "" },
    body: modernCall(11, "add", { a: 1, b: 1 }),
    path: "sdk"
  },
  {
    name: "2026 unknown params key",
    headers: modernHeaders("add"),
    body: { ...modernCall(12, "add", {}), params: { name: "add", arguments: {}, extra: 1, _meta: envelope } },
    path: "sdk"
  },
  {
    name: "2026 invalid clientInfo in the envelope",
    headers: modernHeaders("add"),
    body: modernCall(13, "add", { a: 1, b: 1 }, { "io.modelcontextprotocol/clientInfo": "me" }),
    path: "sdk"
  },
  {
    name: "2026 the same invalid envelope again (judged once)",
    headers: modernHeaders("add"),
    body: modernCall(14, "add", { a: 1, b: 1 }, { "io.modelcontextprotocol/clientInfo": "me" }),
    path: "sdk"
  },
  {
    name: "2026 envelope without client capabilities",
    headers: modernHeaders("add"),
    body: {
      ...modernCall(15, "add", {}),
      params: { name: "add", arguments: {}, _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28" } }
    },
    path: "sdk"
  },
  {
    name: "2026 header names another revision",
    headers: { ...modernHeaders("add"), "mcp-protocol-version": "2025-11-25" },
    body: modernCall(16, "add", { a: 1, b: 1 }),
    path: "sdk"
  },
  {
    name: "2026 extra top-level member",
    headers: modernHeaders("add"),
    body: { ...modernCall(17, "add", { a: 1, b: 1 }), extra: true },
    path: "sdk"
  },
  { name: "2025 success", headers: legacyHeaders, body: legacyCall(21, "add", { a: 2, b: 3 }), path: "fast" },
  {
    name: "2025 no version header",
    headers: { accept: legacyHeaders.accept },
    body: legacyCall(22, "add", { a: 1, b: 2 }),
    path: "fast"
  },
  { name: "2025 no arguments", headers: legacyHeaders, body: legacyCall(23, "refuse"), path: "fast" },
  {
    name: "2025 trace context",
    headers: legacyHeaders,
    body: legacyCall(24, "add", { a: 0, b: 0 }, { traceparent }),
    path: "fast"
  },
  { name: "2025 invalid arguments", headers: legacyHeaders, body: legacyCall(25, "add", { a: 1 }), path: "fast" },
  { name: "2025 unknown tool", headers: legacyHeaders, body: legacyCall(26, "nope", {}), path: "fast" },
  { name: "2025 defect", headers: legacyHeaders, body: legacyCall(27, "boom", {}), path: "fast" },
  { name: "2025 refused limit", headers: legacyHeaders, body: legacyCall(28, "limited", {}), path: "fast" },
  { name: "2025 input required", headers: legacyHeaders, body: legacyCall(29, "confirm", {}), path: "settled" },
  {
    name: "2025 Accept without event streams",
    headers: { ...legacyHeaders, accept: "application/json" },
    body: legacyCall(30, "add", { a: 1, b: 1 }),
    path: "sdk"
  },
  {
    name: "2025 unsupported version",
    headers: { ...legacyHeaders, "mcp-protocol-version": "1999-01-01" },
    body: legacyCall(31, "add", { a: 1, b: 1 }),
    path: "sdk"
  },
  { name: "2025 batch", headers: legacyHeaders, body: [legacyCall(32, "add", { a: 1, b: 1 })], path: "sdk" },
  { name: "2025 fractional id", headers: legacyHeaders, body: legacyCall(33.5, "add", { a: 1, b: 1 }), path: "sdk" },
  { name: "not JSON-RPC", headers: legacyHeaders, body: { hello: "world" }, path: "sdk" }
]

describe("the fast path", () => {
  it.layer(EndpointLive, { timeout: 30_000, excludeTestServices: true })((it) => {
    it.effect("answers every request exactly as the SDK path does, and serves the ones it is for", () =>
      Effect.gen(function* () {
        const fastUrl = yield* listen(McpNodeServer.layer({ port: 0, host: "127.0.0.1" }))
        const sdkUrl = yield* listen(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
        for (const testCase of cases) {
          const runsBefore = confirmRuns
          const viaFast = yield* post(fastUrl, testCase.headers, testCase.body)
          const fastRuns = confirmRuns - runsBefore
          const viaSdk = yield* post(sdkUrl, testCase.headers, testCase.body)
          const { sized: fastSized, ...fastAnswer } = viaFast
          const { sized: sdkSized, ...sdkAnswer } = viaSdk
          expect(fastAnswer, testCase.name).toEqual(sdkAnswer)
          expect(sdkSized, `${testCase.name}: the router's answer`).toBe(false)
          expect(fastSized, `${testCase.name}: answered by the fast path`).toBe(testCase.path === "fast")
          if (testCase.path === "settled") expect(fastRuns, `${testCase.name}: ran once`).toBe(1)
        }
      }).pipe(Effect.scoped)
    )
  })
})
