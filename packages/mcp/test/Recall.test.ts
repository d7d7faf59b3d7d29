/**
 * The fast path asks the authentication port's `recall` before its effect: a caller the port recalls is served
 * without `authenticate`, one it does not is decided by `authenticate`, and a `recall` that throws (a defect) is an
 * internal error with a request id (its span ended, as for any other failure), after which the server goes on serving.
 */
import { Authentication, AuthenticationRefused, Catalog, Pipeline, Plugin, Tool } from "@bulwark/core"
import { ClientSinks, Endpoint, McpHttp, McpNodeServer } from "@bulwark/mcp"
import { expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Logger, Schema, Tracer } from "effect"
import { HttpRouter, HttpServer } from "effect/http"

const demo = Plugin.make({
  name: "demo",
  version: "1.0.0",
  tools: [
    Tool.make("whoami", {
      description: "The caller's tenant",
      input: Schema.Struct({}),
      handler: (_, ctx) => Effect.succeed(ctx.call.tenantId)
    })
  ]
})

/**
 * `authenticate` refuses everyone; `recall` knows the caller whose `x-known` header names a tenant, and throws for
 * `x-known: throw`.
 */
const RecallOnly = Layer.succeed(Authentication.Authentication, {
  authenticate: () =>
    Effect.fail(
      new AuthenticationRefused({ status: 401, headers: {}, body: '{"refused":true}', reason: "not recalled" })
    ),
  recall: (credentials) => {
    const known = credentials.headers["x-known"]
    if (known === "throw") throw new Error("recall broke")
    return known === undefined ? undefined : { tenantId: known, subject: "client", scopes: [], method: "api-key" }
  }
})

/** The names of the spans ended so far. */
const ended: Array<string> = []

/** A tracer that records which spans end. */
const Recording = Layer.succeed(
  Tracer.Tracer,
  Tracer.make({
    span(options) {
      const span = new Tracer.NativeSpan(options)
      const end = span.end.bind(span)
      span.end = (endTime, exit) => {
        end(endTime, exit)
        ended.push(span.name)
      }
      return span
    }
  })
)

const EndpointLive = Endpoint.layer({ name: "test", version: "0.0.1" }).pipe(
  Layer.provideMerge(Pipeline.layer()),
  Layer.provide(Catalog.layer([demo])),
  Layer.provideMerge(ClientSinks.layer),
  Layer.provide(RecallOnly),
  Layer.provideMerge(Logger.layer([])),
  Layer.provideMerge(Recording)
)

/** How many request spans have ended. */
const requestSpans = () => ended.filter((name) => name === "mcp tools/call").length

const call = (url: string, headers: Record<string, string>) =>
  Effect.promise(async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2026-07-28",
        "mcp-method": "tools/call",
        "mcp-name": "whoami",
        ...headers
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: {
          name: "whoami",
          arguments: {},
          _meta: {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientInfo": { name: "recall", version: "1.0.0" },
            "io.modelcontextprotocol/clientCapabilities": {}
          }
        }
      })
    })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  })

it.layer(EndpointLive, { timeout: 30_000, excludeTestServices: true })("the fast path's recall", (it) => {
  it.effect("serves a recalled caller without authenticate, refuses the others, and contains a defect", () =>
    Effect.gen(function* () {
      const context = yield* Layer.build(
        HttpRouter.serve(McpHttp.route("/mcp")).pipe(
          Layer.provideMerge(McpNodeServer.layer({ port: 0, host: "127.0.0.1" }))
        )
      )
      const address = Context.get(context, HttpServer.HttpServer).address
      if (address._tag === "UnixPathAddress") return yield* Effect.die("not TCP")
      const url = `http://127.0.0.1:${address.port}/mcp`

      const recalled = yield* call(url, { "x-known": "acme" })
      expect(recalled.status).toBe(200)
      expect(requestSpans()).toBe(1)
      expect(recalled.body.result).toMatchObject({ content: [{ type: "text", text: "acme" }] })

      const unknown = yield* call(url, {})
      expect(unknown).toEqual({ status: 401, body: { refused: true } })
      expect(requestSpans()).toBe(2)

      const broken = yield* call(url, { "x-known": "throw" })
      expect(broken.status).toBe(500)
      expect(broken.body.error).toMatchObject({ code: -32603, data: { requestId: expect.any(String) } })
      expect(requestSpans()).toBe(3)

      expect((yield* call(url, { "x-known": "globex" })).status).toBe(200)
    }).pipe(Effect.scoped)
  )
})
