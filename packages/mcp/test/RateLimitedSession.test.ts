/**
 * A refused limit as the official client sees it in a 2025 session: the answer comes on an event stream, which keeps
 * its 200 (a non-2xx stream is a transport failure to the client: `CLIENT_HTTP_NOT_IMPLEMENTED`), and the client
 * surfaces the JSON-RPC error with its code and `retryAfterMs`.
 */
import { Catalog, limitExceeded, Pipeline, Plugin, Stage, Tool } from "@bulwark/core"
import { ClientSinks, Endpoint } from "@bulwark/mcp"
import { describe, expect, it } from "@effect/vitest"
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { Effect, Layer, Schema } from "effect"

const demo = Plugin.make({
  name: "demo",
  version: "1.0.0",
  tools: [
    Tool.make("limited", {
      description: "Refused by the test's rate limit",
      input: Schema.Struct({}),
      handler: () => Effect.succeed("never")
    })
  ]
})

const limit = Stage.make(
  "test-limit",
  "limit",
  () => () => Effect.fail(limitExceeded("rate-limit", { limit: "test rate", retryAfterMs: 1500 }))
)

const EndpointLive = Endpoint.layer({ name: "test", version: "0.0.1" }).pipe(
  Layer.provideMerge(Pipeline.layer({ ...Pipeline.defaultConfig, stages: [limit] })),
  Layer.provide(Catalog.layer([demo])),
  Layer.provideMerge(ClientSinks.layer)
)

describe("a refused limit seen by the official client", () => {
  it.layer(EndpointLive, { timeout: 30_000, excludeTestServices: true })((it) => {
    for (const mode of ["legacy"] as const) {
      it.effect(`is a JSON-RPC error with the retry hint (${mode} session)`, () =>
        Effect.gen(function* () {
          const endpoint = yield* Endpoint.Endpoint
          const statuses: Array<number> = []
          const client = new Client({ name: "test", version: "1.0.0" }, { versionNegotiation: { mode } })
          yield* Effect.promise(() =>
            client.connect(
              new StreamableHTTPClientTransport(new URL("http://localhost/mcp"), {
                fetch: async (url, init) => {
                  const response = await endpoint.fetch(new Request(url, init))
                  statuses.push(response.status)
                  return response
                }
              })
            )
          )
          const error = yield* Effect.promise(() =>
            client.callTool({ name: "limited", arguments: {} }).then(
              () => undefined,
              (e: { code?: number; data?: unknown }) => e
            )
          )
          yield* Effect.promise(() => client.close())
          expect(error).toMatchObject({ code: -32029, data: expect.objectContaining({ retryAfterMs: 1500 }) })
          expect(statuses.every((status) => status < 300)).toBe(true)
        })
      )
    }
  })
})
