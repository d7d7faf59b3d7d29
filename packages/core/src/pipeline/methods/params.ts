/**
 * Reading the few params the core methods need while resolving a target: a required non-empty string, with the
 * invalid-params answer for anything else.
 */
import { invalidParams } from "../../errors/McpError.ts"
import type { Params } from "../../request/McpRequest.ts"
import type { Malformed } from "../Target.ts"

/** The non-empty string at `key`, or the `Malformed` target that answers its absence. */
export const requiredString = (params: Params, key: string): string | Malformed => {
  const value = params[key]
  return typeof value === "string" && value !== ""
    ? value
    : { _tag: "Malformed", error: invalidParams(`params.${key} must be a non-empty string`) }
}

/** The arguments of a tool call or prompt: an object, absent meaning none. */
export const argumentsOf = (params: Params): unknown => params.arguments ?? {}
