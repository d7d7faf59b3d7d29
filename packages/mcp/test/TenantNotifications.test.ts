/**
 * A resource update reaches the subscribers of the tenant whose handler published it, never another tenant's: two
 * clients (the official client; 2025 sessions, then 2026-07-28 `subscriptions/listen` streams), of tenants `acme` and
 * `globex`, subscribe to the same URI; a tool called by
 * `acme` publishes an update of it; only `acme`'s session hears of it. Who a request acts for comes from core's
 * `Authentication` port (here a tenant header, as a test's stand-in for a credential).
 */
import { Authentication, Catalog, Pipeline, Plugin, Resource, Tool } from "@bulwark/core"
import { ClientSinks, Endpoint } from "@bulwark/mcp"
import { describe, expect, it } from "@effect/vitest"
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { Effect, Layer, Schema } from "effect"

const demo = Plugin.make({
  name: "demo",
  version: "1.0.0",
  tools: [
    Tool.make("touch", {
      description: "Publishes an update of demo://1",
      input: Schema.Struct({}),
      handler: (_, ctx) => ctx.notify.resourceUpdated("demo://1").pipe(Effect.as("touched"))
    })
  ],
  resources: [
    Resource.template("demo://{id}", { name: "demo", read: ({ id }) => Effect.succeed({ text: `item ${id}` }) })
  ]
})

/** Every request acts for the tenant its `x-tenant` header names. */
const ByTenantHeader = Layer.succeed(Authentication.Authentication, {
  authenticate: (credentials) =>
    Effect.succeed({
      tenantId: credentials.headers["x-tenant"] ?? "none",
      subject: "client",
      scopes: [],
      method: "api-key" as const
    })
})

const EndpointLive = Endpoint.layer({ name: "test", version: "0.0.1" }).pipe(
  Layer.provideMerge(Pipeline.layer()),
  Layer.provide(Catalog.layer([demo])),
  Layer.provideMerge(ClientSinks.layer),
  Layer.provide(ByTenantHeader)
)

/**
 * A client of `tenant` (a 2025 session, or 2026-07-28 with a `subscriptions/listen` stream), subscribed to demo://1
 * and recording the resource updates it hears of.
 */
const session = (fetch: (request: Request) => Promise<Response>, tenant: string, mode: "legacy" | "auto" = "legacy") =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const client = new Client({ name: tenant, version: "1.0.0" }, { versionNegotiation: { mode } })
      const updated: Array<string> = []
      client.setNotificationHandler("notifications/resources/updated", async (n) => {
        updated.push(n.params.uri)
      })
      await client.connect(
        new StreamableHTTPClientTransport(new URL("http://localhost/mcp"), {
          fetch: (url, init) => {
            const request = new Request(url, init)
            request.headers.set("x-tenant", tenant)
            return fetch(request)
          }
        })
      )
      if (mode === "legacy") await client.subscribeResource({ uri: "demo://1" })
      else await client.listen({ resourceSubscriptions: ["demo://1"] })
      return { client, updated }
    }),
    ({ client }) => Effect.promise(() => client.close())
  )

describe("resource updates", () => {
  it.layer(EndpointLive, { timeout: 30_000, excludeTestServices: true })((it) => {
    it.effect("reach the publishing tenant's subscribers only", () =>
      Effect.gen(function* () {
        const endpoint = yield* Endpoint.Endpoint
        const acme = yield* session(endpoint.fetch, "acme")
        const globex = yield* session(endpoint.fetch, "globex")
        yield* Effect.promise(() => acme.client.callTool({ name: "touch", arguments: {} }))
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 200)))
        expect(acme.updated).toEqual(["demo://1"])
        expect(globex.updated).toEqual([])
      }).pipe(Effect.scoped)
    )

    it.effect("reach the publishing tenant's 2026-07-28 subscription streams only", () =>
      Effect.gen(function* () {
        const endpoint = yield* Endpoint.Endpoint
        const acme = yield* session(endpoint.fetch, "acme", "auto")
        const globex = yield* session(endpoint.fetch, "globex", "auto")
        yield* Effect.promise(() => acme.client.callTool({ name: "touch", arguments: {} }))
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 200)))
        expect(acme.updated).toEqual(["demo://1"])
        expect(globex.updated).toEqual([])
      }).pipe(Effect.scoped)
    )
  })
})
