/**
 * The answer to a `tools/call` the fast path served, encoded as the SDK encodes it on each protocol era, so that a
 * client cannot tell which path answered:
 *
 * - 2026-07-28 results get `resultType: "complete"` and the server's identity in
 *   `_meta["io.modelcontextprotocol/serverInfo"]` (SEP-2322 and the encode contract of SDK v2); 2025 results go out
 *   as the tool made them. A task handle (`resultType: "task"`, the Tasks extension) goes out as it is, with the
 *   server's identity (the SDK would add an empty `content` to it).
 * - Errors are `{ code, message, data }` with the SDK's code mapping (-32002 "resource not found" is -32602 on the
 *   wire), HTTP 200 as every in-band error (400 for a missing client capability on 2026-07-28), with `Retry-After`
 *   for a refused limit (shared with the SDK path through `failureAnswer`; see `EdgeHints.ts`).
 *
 * Results the SDK treats specially (an `input_required` result, which it checks against the client's capabilities
 * or, on 2025, fulfils through its legacy shim; a result without `content`) are not encoded here: the caller hands
 * them to the SDK path with the outcome already settled.
 */
import type { McpResult } from "@bulwark/core"
import { type Implementation, SERVER_INFO_META_KEY } from "@modelcontextprotocol/server"
import { Predicate } from "effect"
import type { FailureAnswer } from "../../bridge/failureAnswer.ts"
import type { Answer } from "../responses.ts"
import type { FastRoute } from "./FastRoute.ts"

const JSON_HEADERS = { "content-type": "application/json" } as const

/** The result as the SDK would send it on the route's era; undefined when only the SDK may encode it. */
const encodeResult = (route: FastRoute, result: McpResult, server: Implementation): McpResult | undefined => {
  const resultType = result.resultType
  // A task handle (the Tasks extension, 2026-07-28 only): the task's fields, nothing else.
  if (resultType === "task") return route.era === "modern" ? withServerInfo(result, server) : undefined
  if (!Array.isArray(result.content)) return undefined
  if (resultType !== undefined && resultType !== "complete") return undefined
  if (route.era === "legacy") return resultType === undefined ? result : undefined
  return withServerInfo(resultType === undefined ? { ...result, resultType: "complete" } : result, server)
}

/** The server's identity in `_meta`, as the SDK stamps it on 2026-07-28 results. */
const withServerInfo = (result: McpResult, server: Implementation): McpResult => {
  const meta = result._meta
  if (meta === undefined) return { ...result, _meta: { [SERVER_INFO_META_KEY]: server } }
  if (!Predicate.isObject(meta) || meta[SERVER_INFO_META_KEY] !== undefined) return result
  return { ...result, _meta: { ...meta, [SERVER_INFO_META_KEY]: server } }
}

/** `,"resultType":"complete","_meta":{<the server's identity>}}`: the end of a plain 2026-07-28 result, made once. */
const completeEnds = new WeakMap<Implementation, string>()

const completeEnd = (server: Implementation): string => {
  let end = completeEnds.get(server)
  if (end === undefined) {
    end = `,"resultType":"complete","_meta":${JSON.stringify({ [SERVER_INFO_META_KEY]: server })}}`
    completeEnds.set(server, end)
  }
  return end
}

/**
 * The result's JSON text as `encodeResult` would make it. The common 2026-07-28 result (a plain object with
 * `content`, no `resultType` and no `_meta`) is written as its own text with the end above in place of its closing
 * brace: the same object as spreading it with `resultType` and `_meta` would give, without copying it.
 */
const resultText = (route: FastRoute, result: McpResult, server: Implementation): string | undefined => {
  if (
    route.era === "modern" &&
    result.resultType === undefined &&
    result._meta === undefined &&
    Array.isArray(result.content) &&
    Object.getPrototypeOf(result) === Object.prototype &&
    typeof (result as { readonly toJSON?: unknown }).toJSON !== "function"
  ) {
    const own = JSON.stringify(result)
    return `${own.slice(0, -1)}${completeEnd(server)}`
  }
  const encoded = encodeResult(route, result, server)
  return encoded === undefined ? undefined : JSON.stringify(encoded)
}

/** The answer to a successful call; undefined when the SDK must encode it. */
export const resultAnswer = (route: FastRoute, result: McpResult, server: Implementation): Answer | undefined => {
  const text = resultText(route, result, server)
  if (text === undefined) return undefined
  const id = typeof route.id === "number" ? String(route.id) : JSON.stringify(route.id)
  return { status: 200, headers: JSON_HEADERS, body: `{"result":${text},"jsonrpc":"2.0","id":${id}}` }
}

/** The answer to a failed call. */
export const errorAnswer = (route: FastRoute, failure: FailureAnswer): Answer => {
  const code = failure.code === -32002 ? -32602 : failure.code
  const error =
    failure.data === undefined
      ? { code, message: failure.message }
      : { code, message: failure.message, data: failure.data }
  // The one in-band error 2026-07-28 answers with a status of its own: a missing client capability (-32021) is 400.
  const inBand = route.era === "modern" && code === -32021 ? 400 : 200
  return {
    status: inBand,
    headers:
      failure.retryAfter === undefined ? JSON_HEADERS : { ...JSON_HEADERS, "retry-after": String(failure.retryAfter) },
    body: JSON.stringify({ jsonrpc: "2.0", id: route.id, error })
  }
}
