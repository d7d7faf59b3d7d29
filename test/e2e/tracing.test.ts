/**
 * One trace per request, as the bundled server exports it over OTLP (to a collector this test runs): the request's
 * span joins the caller's trace (`_meta.traceparent`) and names the tool and its plugin (the tool runs inside it,
 * with no span of its own); authentication is a child of it when it checks the key against the store (not a trace of
 * its own), and an attribute of it when the key was verified within the last second; the HTTP router opens no
 * second server span for `/mcp`.
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { authHeaders } from "./support/credentials.ts"
import { type ServerProcess, startServer, stopAllServers } from "./support/server.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"

interface JsonSpan {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId?: string
  readonly name: string
  readonly kind: number
  readonly attributes: ReadonlyArray<{ readonly key: string; readonly value: { readonly stringValue?: string } }>
}

const spans: Array<JsonSpan> = []
let collector: Server
let server: ServerProcess

beforeAll(async () => {
  collector = createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        readonly resourceSpans: ReadonlyArray<{
          readonly scopeSpans: ReadonlyArray<{ readonly spans: Array<JsonSpan> }>
        }>
      }
      for (const resource of body.resourceSpans) for (const scope of resource.scopeSpans) spans.push(...scope.spans)
      response.writeHead(200, { "content-type": "application/json" }).end("{}")
    })
  })
  await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve))
  const { port } = collector.address() as AddressInfo
  server = await startServer({
    args: ["--in-memory"],
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_BSP_SCHEDULE_DELAY: "50"
    },
    cwd: await makeTempDir("tracing")
  })
})

afterAll(async () => {
  await stopAllServers()
  collector.closeAllConnections()
  collector.close()
  await removeTempDirs()
})

const attribute = (span: JsonSpan, key: string) => span.attributes.find((entry) => entry.key === key)?.value.stringValue

/** Calls `fetch_user` in the caller's trace `traceId` (2025 form, `_meta.traceparent`). */
const tracedCall = async (traceId: string, callerSpan: string) => {
  const response = await fetch(server.mcpUrl, {
    method: "POST",
    headers: {
      ...authHeaders,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-11-25"
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "fetch_user", arguments: { id: 1 }, _meta: { traceparent: `00-${traceId}-${callerSpan}-01` } }
    })
  })
  expect(response.status).toBe(200)
  await response.text()
}

/** The spans of a trace, once its request's span has been exported. */
const traceOf = async (traceId: string) => {
  const deadline = Date.now() + 10_000
  const exported = () => spans.some((span) => span.traceId === traceId && span.name === "mcp tools/call")
  while (Date.now() < deadline && !exported()) await new Promise((resolve) => setTimeout(resolve, 50))
  return spans.filter((span) => span.traceId === traceId)
}

const boolean = (span: JsonSpan, key: string) =>
  (span.attributes.find((entry) => entry.key === key)?.value as { readonly boolValue?: boolean } | undefined)?.boolValue

describe("a traced request", () => {
  it("is one trace of one span: the request's, in the caller's trace, naming the tool; authentication inside it", async () => {
    // Longer than the second a verified key is kept: the first call checks the key against the store.
    await new Promise((resolve) => setTimeout(resolve, 1_200))
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736"
    const callerSpan = "00f067aa0ba902b7"
    await tracedCall(traceId, callerSpan)
    const againId = "5cf92f3577b34da6a3ce929d0e0e4737"
    await tracedCall(againId, callerSpan)

    const inTrace = await traceOf(traceId)
    const request = inTrace.find((span) => span.name === "mcp tools/call")
    expect(request, JSON.stringify(spans.map((span) => span.name))).toBeDefined()
    expect(request?.parentSpanId).toBe(callerSpan)
    expect(attribute(request!, "mcp.tenant.id")).toBe("default")
    expect(attribute(request!, "mcp.request.id")).toMatch(/^[0-9a-f-]{36}$/)
    expect(attribute(request!, "mcp.tool.name")).toBe("fetch_user")
    expect(attribute(request!, "mcp.plugin")).toBeDefined()
    // The tool has no span of its own.
    expect(inTrace.filter((span) => span.name.startsWith("tool "))).toEqual([])

    // Checked against the store: a child span of the request's.
    const authentication = inTrace.find((span) => span.name === "identity.authenticate")
    expect(authentication?.parentSpanId).toBe(request?.spanId)
    expect(attribute(authentication!, "identity.method")).toBe("api-key")

    // Verified a moment ago: decided from memory, an attribute of the request's span and no span of its own.
    const again = await traceOf(againId)
    const second = again.find((span) => span.name === "mcp tools/call")
    expect(second?.parentSpanId).toBe(callerSpan)
    expect(attribute(second!, "identity.method")).toBe("api-key")
    expect(boolean(second!, "identity.cached")).toBe(true)
    expect(again.map((span) => span.name)).toEqual(["mcp tools/call"])

    // One server span for each request: the router's own is off for /mcp, and nothing opened a second trace.
    expect(inTrace.filter((span) => span.kind === 2)).toHaveLength(1)
    expect(spans.filter((span) => span.name === "identity.authenticate" && span.traceId !== traceId)).toEqual([])
  })
})
