/**
 * Answers written at the end of the turn: nothing goes out while the turn that made the answers runs, all of them go
 * out when it ends (each to its own client, intact), and a response its client closed in the meantime is skipped
 * without keeping the others from being written. Flushed mid-turn (a turn that turns to refusing), what it finished
 * so far goes out at once.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { makeTurnWriter } from "../src/http/node/TurnWriter.ts"
import { jsonRpcError } from "../src/http/responses.ts"

const servers: Array<ReturnType<typeof createServer>> = []
afterEach(() => {
  for (const server of servers.splice(0)) server.close()
})

/** A server that holds requests until `count` have arrived, then hands them over together, in one turn. */
const serverTaking = async (count: number, take: (held: Array<[IncomingMessage, ServerResponse]>) => void) => {
  const held: Array<[IncomingMessage, ServerResponse]> = []
  const server = createServer((request, response) => {
    request.resume()
    request.once("end", () => {
      held.push([request, response])
      if (held.length === count) take(held.splice(0))
    })
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
}

describe("makeTurnWriter", () => {
  it("writes a turn's answers when the turn ends, each to its own client", async () => {
    const { write } = makeTurnWriter()
    const sentDuringTurn: Array<boolean> = []
    const url = await serverTaking(3, (held) => {
      held.forEach(([request, response], i) => {
        write(response, jsonRpcError(200 + i, -1, `answer to ${request.headers["x-caller"]}`))
        sentDuringTurn.push(response.headersSent)
      })
    })
    const answers = await Promise.all(
      ["a", "b", "c"].map(async (caller) => {
        const response = await fetch(url, { method: "POST", headers: { "x-caller": caller }, body: "{}" })
        return [response.status, ((await response.json()) as { error: { message: string } }).error.message]
      })
    )
    expect(sentDuringTurn).toEqual([false, false, false])
    expect(answers.map(([, message]) => message).sort()).toEqual(["answer to a", "answer to b", "answer to c"])
    expect(answers.map(([status]) => status).sort()).toEqual([200, 201, 202])
  })

  it("skips a response whose client went away before the turn ended, and writes the others", async () => {
    const { write } = makeTurnWriter()
    const url = await serverTaking(2, (held) => {
      const [first, second] = held
      if (first === undefined || second === undefined) return
      const [gone, stays] = first[0].headers["x-caller"] === "gone" ? [first, second] : [second, first]
      write(gone[1], jsonRpcError(200, -1, "never sent"))
      write(stays[1], jsonRpcError(200, -1, "sent"))
      gone[1].destroy()
    })
    const goneCall = fetch(url, { method: "POST", headers: { "x-caller": "gone" }, body: "{}" }).then(
      () => "answered",
      () => "failed"
    )
    const staying = await fetch(url, { method: "POST", headers: { "x-caller": "stays" }, body: "{}" })
    expect(((await staying.json()) as { error: { message: string } }).error.message).toBe("sent")
    expect(await goneCall).toBe("failed")
  })

  it("writes what the turn has finished at once when flushed, and the rest when the turn ends", async () => {
    const { write, flush } = makeTurnWriter()
    const sentAfterFlush: Array<boolean> = []
    const url = await serverTaking(3, (held) => {
      const [first, second, third] = held
      if (first === undefined || second === undefined || third === undefined) return
      write(first[1], jsonRpcError(200, -1, "first"))
      write(second[1], jsonRpcError(200, -1, "second"))
      flush()
      sentAfterFlush.push(first[1].headersSent, second[1].headersSent)
      write(third[1], jsonRpcError(200, -1, "third"))
      sentAfterFlush.push(third[1].headersSent)
    })
    const messages = await Promise.all(
      [1, 2, 3].map(async () => {
        const response = await fetch(url, { method: "POST", body: "{}" })
        return ((await response.json()) as { error: { message: string } }).error.message
      })
    )
    expect(sentAfterFlush).toEqual([true, true, false])
    expect(messages.sort()).toEqual(["first", "second", "third"])
  })
})
