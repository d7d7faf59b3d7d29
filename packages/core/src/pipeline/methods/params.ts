/**
 * What the core methods share: reading a required non-empty string param (with the invalid-params answer for
 * anything else), the arguments of a call, and the method of a listing computed once.
 */
import type { ServerCapabilities } from "@modelcontextprotocol/server"
import { Effect } from "effect"
import { invalidParams } from "../../errors/McpError.ts"
import type { McpResult, Params } from "../../request/McpRequest.ts"
import type { Method } from "../Method.ts"
import type { Listing, Malformed } from "../Target.ts"

/** The non-empty string at `key`, or the `Malformed` target that answers its absence. */
export const requiredString = (params: Params, key: string): string | Malformed => {
  const value = params[key]
  return typeof value === "string" && value !== ""
    ? value
    : { _tag: "Malformed", error: invalidParams(`params.${key} must be a non-empty string`) }
}

/** The arguments of a tool call or prompt: an object, absent meaning none. */
export const argumentsOf = (params: Params): unknown => params.arguments ?? {}

/** A listing method (`tools/list`, ...) whose answer is the same for everyone; authorization narrows it. */
export const listingMethod = (
  name: string,
  kind: Listing["kind"],
  result: McpResult,
  capabilities: ServerCapabilities
): Method => ({
  name,
  capabilities,
  resolve: () => ({ _tag: "Listing", kind }),
  serve: () => Effect.succeed(result)
})
