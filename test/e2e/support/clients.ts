/**
 * The official MCP client (`@modelcontextprotocol/client`) as a user holds it, and small helpers around tool results.
 */
import { type CallToolResult, Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { expect } from "vitest"
import { authHeaders } from "./credentials.ts"

/** How the client negotiates: `auto` probes with `server/discover` (2026-07-28), `legacy` sends `initialize`. */
export type Negotiation = "auto" | "legacy"

/** The protocol revision each negotiation mode must end up with against Bulwark. */
export const expectedRevision: Readonly<Record<Negotiation, string>> = {
  auto: "2026-07-28",
  legacy: "2025-11-25"
}

export const negotiations: ReadonlyArray<Negotiation> = ["auto", "legacy"]

const open = new Set<Client>()

/** A client with `mode` negotiation; closed by `closeAllClients`. */
export const makeClient = (mode: Negotiation): Client => {
  const client = new Client({ name: "bulwark-e2e", version: "1.0.0" }, { versionNegotiation: { mode } })
  open.add(client)
  return client
}

/** Connects a client over Streamable HTTP (`fetch` defaults to the global one, i.e. a real socket). */
export const connectHttp = async (
  url: URL,
  mode: Negotiation,
  fetchImpl?: (url: string | URL, init?: RequestInit) => Promise<Response>
): Promise<Client> => {
  const client = makeClient(mode)
  await client.connect(
    new StreamableHTTPClientTransport(url, {
      requestInit: { headers: { ...authHeaders } },
      ...(fetchImpl === undefined ? {} : { fetch: fetchImpl })
    })
  )
  return client
}

/** Closes every client made here (ignoring clients whose connection is already gone). */
export const closeAllClients = async (): Promise<void> => {
  const clients = [...open]
  open.clear()
  await Promise.all(clients.map((client) => client.close().catch(() => undefined)))
}

/** The text blocks of a result, joined. */
export const textOf = (result: CallToolResult): string =>
  result.content
    .map((block) => (block.type === "text" ? block.text : ""))
    .filter((text) => text !== "")
    .join("\n")

/** Calls a tool that must succeed and returns its `structuredContent`. */
export const callOk = async (
  client: Client,
  name: string,
  args: Record<string, unknown>
): Promise<Record<string, unknown>> => {
  const result = await client.callTool({ name, arguments: args })
  expect(result.isError ?? false, `${name} failed: ${textOf(result)}`).toBe(false)
  expect(result.structuredContent, `${name} returned no structuredContent`).toBeDefined()
  // Every tickets tool also renders the same JSON as text.
  expect(JSON.parse(textOf(result))).toEqual(result.structuredContent)
  return result.structuredContent as Record<string, unknown>
}

/** Calls a tool that must fail with a tool error (`isError: true`) and returns the error text. */
export const callError = async (client: Client, name: string, args: Record<string, unknown>): Promise<string> => {
  const result = await client.callTool({ name, arguments: args })
  expect(result.isError, `${name} was expected to fail but returned ${JSON.stringify(result)}`).toBe(true)
  expect(result.structuredContent).toBeUndefined()
  return textOf(result)
}
