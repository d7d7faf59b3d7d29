// Baseline: a bare node:http JSON-RPC handler answering tools/call, no MCP framework at all.
import { createServer } from "node:http"

const port = Number(process.env.PORT ?? 0)
createServer((req, res) => {
  const chunks: Array<Buffer> = []
  req.on("data", (chunk: Buffer) => chunks.push(chunk))
  req.on("end", () => {
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
      id: number
      params: { arguments: { text: string } }
    }
    const payload = JSON.stringify({
      jsonrpc: "2.0",
      id: body.id,
      result: { content: [{ type: "text", text: body.params.arguments.text }] }
    })
    res.writeHead(200, { "content-type": "application/json" }).end(payload)
  })
}).listen(port, "127.0.0.1", function (this: import("node:net").Server) {
  const address = this.address()
  process.stdout.write(`${typeof address === "object" && address ? address.port : port}\n`)
})
