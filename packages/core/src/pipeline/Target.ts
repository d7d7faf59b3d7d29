/**
 * What a request is about, resolved once from its method and params before any stage runs: a tool call, a prompt,
 * a resource read or subscription (with the static resource or template its URI matched), a listing, a completion,
 * a request of an extension method, a method nobody serves, or params that do not fit the method. Every stage
 * matches on this one value instead of reading params again; names the client sent are kept as sent, and the
 * catalog item is attached only when it exists.
 */
import type { CompiledPrompt } from "../catalog/CompiledPrompt.ts"
import type { CompiledTemplate } from "../catalog/CompiledResource.ts"
import type { CompiledTool } from "../catalog/CompiledTool.ts"
import type { FoundResource } from "../catalog/findResource.ts"
import type { McpError } from "../errors/McpError.ts"

/** `tools/call`: the tool named, if the catalog has it, and the raw arguments (decoded by the validate phase). */
export interface ToolCall {
  readonly _tag: "ToolCall"
  readonly name: string
  readonly tool: CompiledTool | undefined
  readonly arguments: unknown
}

/** `prompts/get`. */
export interface PromptGet {
  readonly _tag: "PromptGet"
  readonly name: string
  readonly prompt: CompiledPrompt | undefined
  readonly arguments: unknown
}

/** `resources/read`, `resources/subscribe`, `resources/unsubscribe`: the URI and what it resolved to. */
export interface ResourceAccess {
  readonly _tag: "ResourceAccess"
  readonly action: "read" | "subscribe" | "unsubscribe"
  readonly uri: string
  readonly resource: FoundResource | undefined
}

/** A listing: `tools/list`, `prompts/list`, `resources/list`, `resources/templates/list`. */
export interface Listing {
  readonly _tag: "Listing"
  readonly kind: "tools" | "prompts" | "resources" | "resourceTemplates"
}

/** `completion/complete` of a prompt argument or a template variable. */
export interface Completion {
  readonly _tag: "Completion"
  readonly ref:
    | { readonly kind: "prompt"; readonly name: string; readonly prompt: CompiledPrompt | undefined }
    | {
        readonly kind: "resourceTemplate"
        readonly uriTemplate: string
        readonly template: CompiledTemplate | undefined
      }
  readonly argument: { readonly name: string; readonly value: string }
}

/** A method an extension serves (e.g. `tasks/get`); `name` is what it is about, if anything. */
export interface Extension {
  readonly _tag: "Extension"
  readonly method: string
  readonly name?: string
}

/** A method no one serves. */
export interface UnknownMethod {
  readonly _tag: "UnknownMethod"
  readonly method: string
}

/** Params that do not fit the method: answered with `error` once the request has been admitted. */
export interface Malformed {
  readonly _tag: "Malformed"
  readonly error: McpError
}

/** What a request is about. */
export type Target =
  | ToolCall
  | PromptGet
  | ResourceAccess
  | Listing
  | Completion
  | Extension
  | UnknownMethod
  | Malformed

/** The tool or prompt name, or resource URI, the request names (as the client sent it), if any. */
export const nameOf = (target: Target): string | undefined => {
  switch (target._tag) {
    case "ToolCall":
    case "PromptGet":
      return target.name
    case "ResourceAccess":
      return target.uri
    case "Extension":
      return target.name
    default:
      return undefined
  }
}

/**
 * The bounded name of what the request is about, for metrics: a tool or prompt name or a resource's URI template,
 * only when the catalog has it (names sent by clients are unbounded); otherwise undefined.
 */
export const catalogKeyOf = (target: Target): string | undefined => {
  switch (target._tag) {
    case "ToolCall":
      return target.tool?.name
    case "PromptGet":
      return target.prompt?.name
    case "ResourceAccess":
      return target.resource?.key
    default:
      return undefined
  }
}

/**
 * The `tool_name` label of a request's series: the catalog's name of the tool a `tools/call` is for, else empty
 * (resources, prompts and listings are told apart by the method; names of tools that do not exist are unbounded).
 */
export const toolLabelOf = (target: Target): string => (target._tag === "ToolCall" ? (target.tool?.name ?? "") : "")
