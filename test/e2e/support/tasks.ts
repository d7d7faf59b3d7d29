/**
 * Talking to a Tasks server as hosts do: raw 2026-07-28 JSON-RPC calls that declare the Tasks extension (with the
 * routing headers the extension asks for), and a session of the extension's own client package
 * (`@modelcontextprotocol/ext-tasks`) over the official client, whose task traffic goes through `rawDispatch`.
 */
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { createTaskSessionFromClient } from "@modelcontextprotocol/ext-tasks/client"
import type { JsonValue } from "@modelcontextprotocol/ext-tasks/core"

export const TASKS = "io.modelcontextprotocol/tasks"

const clientInfo = { name: "bulwark-e2e-host", version: "1.0.0" }

/** A JSON-RPC answer. */
export interface Answer {
  readonly status: number
  readonly result?: Record<string, unknown>
  readonly error?: { readonly code: number; readonly message: string; readonly data?: unknown }
}

/** The routing name of a request (`Mcp-Name`): the tool's or prompt's name, the resource's URI, or the task's id. */
const routingName = (method: string, params: Record<string, unknown>): string | undefined => {
  const name =
    method === "tools/call" || method === "prompts/get"
      ? params.name
      : method === "resources/read"
        ? params.uri
        : method.startsWith("tasks/")
          ? params.taskId
          : undefined
  return typeof name === "string" ? name : undefined
}

/** One 2026-07-28 request with an API key, declaring the Tasks extension unless `tasks` is false. */
export const modern = async (
  url: URL,
  key: string,
  method: string,
  params: Record<string, unknown>,
  options: { readonly tasks?: boolean; readonly headers?: Readonly<Record<string, string>> } = {}
): Promise<Answer> => {
  const name = routingName(method, params)
  const response = await fetch(url, {
    method: "POST",
    headers: {
      authorization: `Bearer ${key}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": method,
      ...(name === undefined ? {} : { "mcp-name": name }),
      ...options.headers
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method,
      params: {
        ...params,
        _meta: {
          ...(params._meta as object | undefined),
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientInfo": clientInfo,
          "io.modelcontextprotocol/clientCapabilities": options.tasks === false ? {} : { extensions: { [TASKS]: {} } }
        }
      }
    })
  })
  const text = await response.text()
  const json = response.headers.get("content-type")?.includes("text/event-stream")
    ? (text
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5))
        .pop() ?? "{}")
    : text
  const message = JSON.parse(json) as Omit<Answer, "status">
  return { status: response.status, ...message }
}

/** Polls `tasks/get` until the task ends; returns its last state. */
export const settled = async (url: URL, key: string, taskId: string, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const answer = await modern(url, key, "tasks/get", { taskId })
    const status = answer.result?.status
    if (status === "completed" || status === "failed" || status === "cancelled") return answer.result
    if (Date.now() > deadline) throw new Error(`task ${taskId} did not end: ${JSON.stringify(answer)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/**
 * A connected official client and an ext-tasks session over it, as a host sets them up against a 2026-07-28 Tasks
 * server: the session dispatches task traffic itself (`rawDispatch`, here a plain POST with the host's credentials).
 */
export const tasksSession = async (url: URL, key: string) => {
  const headers = { authorization: `Bearer ${key}` }
  const client = new Client(clientInfo, { versionNegotiation: { mode: "auto" } })
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }))
  let id = 0
  const session = createTaskSessionFromClient(client, {
    endpointId: "bulwark-e2e",
    v2RequestFraming: { protocolVersion: "2026-07-28", clientInfo, clientCapabilities: {} },
    rawDispatch: async (request, options) => {
      const framed = request as { readonly method: string; readonly params?: Record<string, unknown> }
      const params = framed.params ?? {}
      const name = routingName(framed.method, params)
      // One value per header, whatever case the session spells its own (it sets Mcp-Name on task requests).
      const sent = new Headers({
        ...headers,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2026-07-28",
        "mcp-method": framed.method
      })
      if (name !== undefined) sent.set("mcp-name", name)
      for (const [header, value] of Object.entries(options?.context?.headers ?? {})) sent.set(header, value)
      const response = await fetch(url, {
        method: "POST",
        headers: sent,
        body: JSON.stringify({ jsonrpc: "2.0", id: ++id, ...framed }),
        ...(options?.signal === undefined ? {} : { signal: options.signal })
      })
      const message = (await response.json()) as { result?: JsonValue; error?: { code: number; message: string } }
      return message.error === undefined
        ? { kind: "result" as const, result: message.result ?? null }
        : { kind: "error" as const, error: message.error }
    }
  })
  return {
    client,
    session,
    close: async () => {
      await session.close()
      await client.close()
    }
  }
}
