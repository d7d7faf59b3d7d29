/**
 * What a request is about, read from its params before validation (the guards run first).
 *
 * @since 0.1.0
 */
import type { CallState } from "@bulwark/core"

/** The tool of a `tools/call`, if it names one. */
export const toolNameOf = (call: CallState): string | undefined => {
  const name = call.request.params.name
  return call.request.method === "tools/call" && typeof name === "string" ? name : undefined
}

/** The bounded metric label of a request: its catalog name once known, else its method. */
export const labelOf = (call: CallState): string => call.label ?? call.request.method
