import { Exit } from "effect"
import type { McpError } from "../errors/McpError.ts"
import type { McpResult } from "../request/McpRequest.ts"

/** How a request ended, as logs and metrics report it. */
export type Outcome = "ok" | "tool_error" | "input_required" | "error"

/** Classifies the end of a request. */
export const outcomeOf = (exit: Exit.Exit<McpResult, McpError>): Outcome => {
  if (Exit.isFailure(exit)) return "error"
  if (exit.value.isError === true) return "tool_error"
  if (exit.value.resultType === "input_required") return "input_required"
  return "ok"
}
