/**
 * The fast path's encoding of a successful call: the body written without copying a plain 2026-07-28 result is the
 * same JSON as the SDK's encoding (the result spread with `resultType: "complete"` and the server's identity in
 * `_meta`), for results of every shape the fast path may encode; 2025 results go out as the tool made them, and what
 * only the SDK may encode is left to it.
 */
import type { McpResult } from "@bulwark/core"
import { describe, expect, it } from "@effect/vitest"
import { SERVER_INFO_META_KEY } from "@modelcontextprotocol/server"
import { resultAnswer } from "../src/http/fast/Answer.ts"
import type { FastRoute } from "../src/http/fast/FastRoute.ts"

const server = { name: 'bulwark "test"', version: "1.2.3", title: "Bulwark ✓" }

const route = (era: FastRoute["era"], id: string | number): FastRoute => ({
  era,
  id,
  name: "echo",
  params: { name: "echo" },
  meta: {}
})

const modernResults: ReadonlyArray<McpResult> = [
  { content: [{ type: "text", text: "hello" }] },
  { content: [] },
  { content: [{ type: "text", text: 'line\n"quoted" \u2028 ✓' }], isError: true },
  { content: [{ type: "text", text: "x" }], structuredContent: { n: 1, nested: { a: [1, 2] } } },
  { content: [{ type: "text", text: "x" }], isError: undefined },
  { content: [{ type: "text", text: "x" }], _meta: { "example.com/mine": 1 } },
  { content: [{ type: "text", text: "x" }], resultType: "complete" }
]

/** The SDK's encoding of a 2026-07-28 result, as the fast path made it before. */
const sdkEncoding = (result: McpResult) => {
  const withType = result.resultType === undefined ? { ...result, resultType: "complete" } : result
  const meta = withType._meta as Record<string, unknown> | undefined
  return { ...withType, _meta: { ...(meta ?? {}), [SERVER_INFO_META_KEY]: server } }
}

describe("resultAnswer", () => {
  it("encodes 2026-07-28 results as the SDK does, whatever their shape and id", () => {
    for (const id of [1, 0, 9007199254740991, "req-1", 'a "quoted" id']) {
      for (const result of modernResults) {
        const answer = resultAnswer(route("modern", id), result, server)
        expect(answer?.status).toBe(200)
        expect(JSON.parse(answer?.body ?? "")).toStrictEqual(
          JSON.parse(JSON.stringify({ result: sdkEncoding(result), jsonrpc: "2.0", id }))
        )
      }
    }
  })

  it("encodes 2025 results as the tool made them", () => {
    const result: McpResult = { content: [{ type: "text", text: "hello" }], isError: false }
    const answer = resultAnswer(route("legacy", "a"), result, server)
    expect(JSON.parse(answer?.body ?? "")).toStrictEqual({ result, jsonrpc: "2.0", id: "a" })
  })

  it("leaves to the SDK what only it may encode", () => {
    expect(resultAnswer(route("modern", 1), { resultType: "input_required" } as McpResult, server)).toBeUndefined()
    expect(resultAnswer(route("modern", 1), {} as McpResult, server)).toBeUndefined()
    expect(
      resultAnswer(route("legacy", 1), { content: [], resultType: "complete" } as McpResult, server)
    ).toBeUndefined()
  })
})
