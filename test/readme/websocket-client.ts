/**
 * The README's WebSocket connection snippet, run by `test/e2e/websocket.test.ts` against the bundled server.
 */
// #region readme
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { WebSocketClientTransport } from "@modelcontextprotocol/sdk/client/websocket.js"

/** Connects the official SDK v1 client to `server` (e.g. `http://127.0.0.1:3000`) over WebSocket. */
export const connectOverWebSocket = async (server: string, apiKey: string): Promise<Client> => {
  const url = new URL("/mcp", server.replace(/^http/, "ws"))
  url.searchParams.set("access_token", apiKey) // this client cannot set headers; others send Authorization
  const client = new Client({ name: "my-agent", version: "1.0.0" })
  await client.connect(new WebSocketClientTransport(url))
  return client
}
// #endregion readme
