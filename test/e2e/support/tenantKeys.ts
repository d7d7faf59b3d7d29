/**
 * API keys for the tenants of a test server, made with the product's own key store on the server's database (what
 * an operator's tooling does), and raw MCP calls made with them.
 */
import { Database, MigrationRegistry } from "@bulwark/database"
import { ApiKeys } from "@bulwark/identity"
import { Effect, Layer, Redacted, References } from "effect"

/** Creates one API key per tenant on the database at `url`; returns the plaintext keys by tenant. */
export const createTenantKeys = (
  url: string,
  tenants: ReadonlyArray<string>
): Promise<Readonly<Record<string, string>>> =>
  Effect.runPromise(
    Effect.gen(function* () {
      const keys = yield* ApiKeys
      const out: Record<string, string> = {}
      for (const tenantId of tenants) {
        const created = yield* keys.create({ tenantId, name: `e2e ${tenantId}`, scopes: [] })
        out[tenantId] = Redacted.value(created.key)
      }
      return out
    }).pipe(
      Effect.provide(
        ApiKeys.layer.pipe(
          Layer.provide(MigrationRegistry.layer),
          Layer.provide(Database.layer({ url: Redacted.make(url), poolSize: 1 }))
        )
      ),
      Effect.provideService(References.MinimumLogLevel, "Warn")
    )
  )

/** A raw, stateless 2025-11-25 JSON-RPC call with an API key: the HTTP status, headers and JSON-RPC message. */
export const callAs = async (
  mcpUrl: URL,
  key: string,
  method: string,
  params: Record<string, unknown> = {}
): Promise<{
  readonly status: number
  readonly retryAfter: string | null
  readonly message: { result?: Record<string, unknown>; error?: { code: number; message: string; data?: unknown } }
}> => {
  const response = await fetch(mcpUrl, {
    method: "POST",
    headers: {
      authorization: `Bearer ${key}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-11-25"
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params })
  })
  const text = await response.text()
  const json = response.headers.get("content-type")?.includes("text/event-stream")
    ? text
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5))
        .pop()
    : text
  return { status: response.status, retryAfter: response.headers.get("retry-after"), message: JSON.parse(json ?? "{}") }
}
