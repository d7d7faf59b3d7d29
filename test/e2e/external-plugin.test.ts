/**
 * A plugin written outside the repository (it sees only `@bulwark/core` and `effect`, through a `node_modules` of
 * its own), used the three ways people use Bulwark:
 * - imported at run time and served by an endpoint composed from the framework's layers, as `packages/mcp/README.md`
 *   shows (`Catalog` + `Pipeline` + `ClientSinks` + `Endpoint`), in process and over a real HTTP socket;
 * - installed into the bundled server by name, without writing a composition (`plugins.external-words.module`);
 * - given to the production composition, `BulwarkServer.http(config, { plugins })`, which serves it behind
 *   authentication, tenancy and audit.
 */
import { copyFile, mkdir, readFile, symlink, writeFile } from "node:fs/promises"
import { createServer } from "node:http"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { Catalog, type Installed, Pipeline, type Plugin } from "@bulwark/core"
import { ClientSinks, Endpoint, type McpEndpoint, McpHttp } from "@bulwark/mcp"
import { BulwarkServer, decodeConfig } from "@bulwark/server"
import { NodeHttpServer } from "@effect/platform-node"
import { Context, Effect, Exit, Layer, References, Scope } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  callError,
  callOk,
  closeAllClients,
  connectHttp,
  expectedRevision,
  negotiations,
  textOf
} from "./support/clients.ts"
import { testApiKey } from "./support/credentials.ts"
import { root } from "./support/paths.ts"
import { startServer, stopAllServers } from "./support/server.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"

const fixture = join(root, "test/e2e/fixtures/external-plugin.ts.txt")

let pluginDir: string
let installable: Installed
let scope: Scope.Closeable | undefined
let endpoint: McpEndpoint
let httpUrl: URL

/** Lays the plugin out as its own little project: plugin.ts, package.json and node_modules with two links. */
const writeExternalPlugin = async (dir: string) => {
  await copyFile(fixture, join(dir, "plugin.ts"))
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: "external-words", private: true, type: "module" }))
  await mkdir(join(dir, "node_modules", "@bulwark"), { recursive: true })
  await symlink(join(root, "packages/core"), join(dir, "node_modules/@bulwark/core"), "dir")
  await symlink(join(root, "node_modules/effect"), join(dir, "node_modules/effect"), "dir")
}

beforeAll(async () => {
  pluginDir = await makeTempDir("external-plugin")
  await writeExternalPlugin(pluginDir)
  const module = (await import(pathToFileURL(join(pluginDir, "plugin.ts")).href)) as {
    readonly plugin: Plugin.Plugin
    readonly default: Installed
  }
  installable = module.default

  const McpLive = Endpoint.layer({ name: "external-plugin-server", version: "1.0.0" }).pipe(
    Layer.provideMerge(Pipeline.layer()),
    Layer.provide(Catalog.layer([module.plugin])),
    Layer.provideMerge(ClientSinks.layer)
  )
  const HttpLive = HttpRouter.serve(McpHttp.route("/mcp"), { disableListenLog: true, disableLogger: true }).pipe(
    Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })),
    Layer.provideMerge(McpLive),
    // Request logs of expected outcomes are info lines; keep the test output for what matters.
    Layer.provide(Layer.succeed(References.MinimumLogLevel, "Warn"))
  )
  scope = await Effect.runPromise(Scope.make())
  const context = await Effect.runPromise(Layer.buildWithScope(HttpLive, scope))
  endpoint = Context.get(context, Endpoint.Endpoint)
  const address = Context.get(context, HttpServer.HttpServer).address
  if (address._tag === "UnixPathAddress") throw new Error("expected the server on a TCP port, not a Unix socket")
  httpUrl = new URL(`http://127.0.0.1:${address.port}/mcp`)
})

afterAll(async () => {
  await closeAllClients()
  await stopAllServers()
  if (scope !== undefined) await Effect.runPromise(Scope.close(scope, Exit.void))
  await removeTempDirs()
})

/** Calls the plugin's tool as an agent would, through a client with the test API key. */
const countWords = async (url: URL) => {
  const client = await connectHttp(url, "auto")
  const { tools } = await client.listTools()
  expect(tools.map((tool) => tool.name)).toContain("count_words")
  return callOk(client, "count_words", { text: "to be or not" })
}

describe("a plugin from outside the repository", () => {
  it("lives outside the repository and imports nothing but @bulwark/core and effect", async () => {
    expect(pluginDir.startsWith(root)).toBe(false)
    const source = await readFile(join(pluginDir, "plugin.ts"), "utf8")
    const imported = [...source.matchAll(/^import .* from "([^"]+)"$/gmu)].map((match) => match[1])
    expect(imported.sort()).toEqual(["@bulwark/core", "effect"])
  })
})

describe.each(negotiations)("the external plugin's tool, %s negotiation", (mode) => {
  const transports = {
    "in process (endpoint.fetch)": () =>
      connectHttp(new URL("http://localhost/mcp"), mode, (url, init) => endpoint.fetch(new Request(url, init))),
    "over real HTTP": () => connectHttp(httpUrl, mode)
  }

  for (const [via, connect] of Object.entries(transports)) {
    it(`is listed and called ${via}`, async () => {
      const client = await connect()
      expect(client.getNegotiatedProtocolVersion()).toBe(expectedRevision[mode])
      expect(client.getServerVersion()?.name).toBe("external-plugin-server")

      const { tools } = await client.listTools()
      expect(tools.map((tool) => tool.name)).toEqual(["count_words"])
      expect(tools[0]?.inputSchema).toMatchObject({ type: "object", required: ["text"] })
      expect(tools[0]?.outputSchema?.required).toEqual(expect.arrayContaining(["words", "longest", "reversed"]))
      expect(tools[0]?.annotations).toMatchObject({ readOnlyHint: true, idempotentHint: true })

      expect(await callOk(client, "count_words", { text: "the quick brown fox" })).toEqual({
        words: 4,
        longest: "quick",
        reversed: "fox brown quick the"
      })
      expect(await callError(client, "count_words", { text: "   " })).toBe("The text has no words; pass some text.")
      expect(await callError(client, "count_words", { text: 42 })).toMatch(/text: Expected string/)
      const unknown = await client.callTool({ name: "get_ticket", arguments: { id: 1 } }).then(
        (result) => `unexpected result: ${textOf(result)}`,
        (error: unknown) => error
      )
      expect(unknown).toMatchObject({ code: -32602, message: expect.stringContaining("Unknown tool: get_ticket") })
    })
  }
})

describe("the external plugin in the production stack", () => {
  it("is installed into the bundled server by name, with no composition written", async () => {
    const config = join(pluginDir, "bulwark.yaml")
    await writeFile(
      config,
      [
        "plugins:",
        "  tickets: { enabled: false }",
        "  reports: { enabled: false }",
        "  external-words:",
        "    module: ./plugin.ts",
        ""
      ].join("\n")
    )
    const server = await startServer({ args: ["--in-memory", "--config", config], cwd: pluginDir })
    expect(await countWords(server.mcpUrl)).toEqual({ words: 4, longest: "not", reversed: "not or be to" })
    const anonymous = await fetch(server.mcpUrl, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" })
    })
    expect(anonymous.status).toBe(401)
  })

  it("is given to BulwarkServer.http, which serves it behind authentication, tenancy and audit", async () => {
    const config = await Effect.runPromise(
      decodeConfig({
        http: { port: 0 },
        logLevel: "warn",
        plugins: { tickets: { enabled: false }, reports: { enabled: false } },
        bootstrapApiKey: testApiKey
      })
    )
    const serverScope = await Effect.runPromise(Scope.make())
    try {
      const services = await Effect.runPromise(
        Layer.buildWithScope(BulwarkServer.http(config, { inMemory: true, plugins: [installable] }), serverScope)
      )
      const address = Context.get(services, HttpServer.HttpServer).address
      if (address._tag === "UnixPathAddress") throw new Error("expected a TCP port")
      const url = new URL(`http://127.0.0.1:${address.port}/mcp`)
      expect(await countWords(url)).toEqual({ words: 4, longest: "not", reversed: "not or be to" })
      const pipeline = Context.get(services, Pipeline.Pipeline)
      expect(pipeline.stages.map((stage) => stage.name)).toEqual(
        expect.arrayContaining(["audit", "tenancy", "authorization", "rate-limit", "quota", "concurrency"])
      )
    } finally {
      await Effect.runPromise(Scope.close(serverScope, Exit.void))
    }
  })
})
