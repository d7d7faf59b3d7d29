/**
 * A plugin written outside the repository (it sees only `@bulwark/core` and `effect`, through a `node_modules` of
 * its own) is imported at run time and served by a server composed from layers, as `packages/mcp/README.md` shows:
 * `Catalog` + `Pipeline` + `ClientSinks` + `Endpoint`, called in process through `endpoint.fetch` and over a real
 * HTTP socket (`HttpRouter.serve(McpHttp.route("/mcp"))` on `NodeHttpServer`).
 */
import { copyFile, mkdir, readFile, symlink, writeFile } from "node:fs/promises"
import { createServer } from "node:http"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { Catalog, Pipeline, type Plugin } from "@bulwark/core"
import { ClientSinks, Endpoint, type McpEndpoint, McpHttp } from "@bulwark/mcp"
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
import { root } from "./support/paths.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"

const fixture = join(root, "test/e2e/fixtures/external-plugin.ts.txt")

let pluginDir: string
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
  }

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
  if (scope !== undefined) await Effect.runPromise(Scope.close(scope, Exit.void))
  await removeTempDirs()
})

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
