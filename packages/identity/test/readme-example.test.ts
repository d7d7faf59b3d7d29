// #region readme
import { randomBytes } from "node:crypto"
import { Catalog, Pipeline, Plugin, Tool } from "@bulwark/core"
import { Database, DatabaseConfig, MigrationRegistry } from "@bulwark/database"
import { Authenticator, ensureBootstrapKey, HmacCredentials, IdentityConfig, signRequest } from "@bulwark/identity"
import { ClientSinks, Endpoint } from "@bulwark/mcp"
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { Effect, Layer, Option, Redacted, Schema } from "effect"

const Greeter = Plugin.make({
  name: "greeter",
  version: "1.0.0",
  tools: [
    Tool.make("greet", {
      description: "Greets someone by name.",
      input: Schema.Struct({ name: Schema.String }),
      handler: ({ name }) => Effect.succeed(`Hello, ${name}!`)
    })
  ]
})

// The identity section of the config file. The master key comes from a secret store in production.
const config = Schema.decodeUnknownSync(IdentityConfig)({
  apiKeys: { enabled: true },
  hmac: { enabled: true, skew: "5 minutes", masterKey: randomBytes(32).toString("base64") }
})

// The Authentication port (plus ApiKeys and HmacCredentials) on the app's database; here an embedded in-memory one.
const DatabaseLive = Layer.merge(
  Database.layer(DatabaseConfig.make({ embedded: { inMemory: true } })),
  MigrationRegistry.layer
)
const IdentityLive = Authenticator.layer(config).pipe(Layer.provideMerge(DatabaseLive))

// The endpoint finds core's Authentication port in its context and asks it before any MCP work.
export const AppLive = Endpoint.layer({ name: "greeter-server", version: "1.0.0" }).pipe(
  Layer.provideMerge(Pipeline.layer()),
  Layer.provide(Catalog.layer([Greeter])),
  Layer.provideMerge(ClientSinks.layer),
  Layer.provideMerge(IdentityLive)
)

// An in-process MCP client whose every HTTP request goes through `prepare` (to add credentials).
const connect = (prepare: (url: URL | string, init: RequestInit) => RequestInit) =>
  Effect.gen(function* () {
    const endpoint = yield* Endpoint.Endpoint
    const client = new Client({ name: "example", version: "1.0.0" }, { versionNegotiation: { mode: "auto" } })
    const transport = new StreamableHTTPClientTransport(new URL("http://localhost/mcp"), {
      fetch: (url, init) => endpoint.fetch(new Request(url, prepare(url, init ?? {})))
    })
    yield* Effect.promise(() => client.connect(transport))
    return client
  })

const greet = (client: Client) =>
  Effect.promise(() => client.callTool({ name: "greet", arguments: { name: "Ada" } })).pipe(
    Effect.ensuring(Effect.promise(() => client.close()))
  )

export const program = Effect.gen(function* () {
  // First start: no API key exists yet, so one is made. The app prints it once, to stderr.
  const bootstrap = Option.getOrThrow(yield* ensureBootstrapKey({ tenantId: "default", scopes: ["mcp"] }))
  const apiKey = Redacted.value(bootstrap.key)

  // No credentials: 401 before any MCP work.
  const endpoint = yield* Endpoint.Endpoint
  const anonymous = yield* Effect.promise(() =>
    endpoint.fetch(
      new Request("http://localhost/mcp", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" })
      })
    )
  )

  // An API key, as a Bearer token (X-Api-Key works too).
  const withKey = yield* connect((_, init) => {
    const headers = new Headers(init.headers)
    headers.set("authorization", `Bearer ${apiKey}`)
    return { ...init, headers }
  })
  const viaApiKey = yield* greet(withKey)

  // An HMAC credential: every request signed with signRequest (method, path and query, timestamp, body hash).
  const hmac = yield* (yield* HmacCredentials).create({ tenantId: "default", name: "robot", scopes: ["mcp"] })
  const signed = yield* connect((url, init) => {
    const headers = new Headers(init.headers)
    const body = typeof init.body === "string" ? init.body : ""
    const signature = signRequest({ keyId: hmac.keyId, secret: hmac.secret, method: init.method ?? "GET", url, body })
    for (const [name, value] of Object.entries(signature)) headers.set(name, value)
    return { ...init, headers }
  })
  const viaHmac = yield* greet(signed)

  return { anonymous: anonymous.status, viaApiKey: viaApiKey.content, viaHmac: viaHmac.content }
})

// #endregion readme

import { describe, expect, it } from "@effect/vitest"

describe("README example", () => {
  it.live("refuses anonymous requests and serves API-key and HMAC clients", () =>
    Effect.gen(function* () {
      const result = yield* program
      expect(result).toEqual({
        anonymous: 401,
        viaApiKey: [{ type: "text", text: "Hello, Ada!" }],
        viaHmac: [{ type: "text", text: "Hello, Ada!" }]
      })
    }).pipe(Effect.provide(AppLive))
  )
})
