/**
 * Declaring a tool: its name, its input and output as Effect Schemas (clients see JSON Schema 2020-12), the domain
 * errors an agent may see, the backends it calls, hints, its own timeout and its handler. Everything the framework
 * needs to know about a tool lives in this one declaration, so that guards and later stages read it from the tool
 * instead of from tables kept beside it.
 */
import type { ToolAnnotations } from "@modelcontextprotocol/server"
import type { Duration, Effect, Schema } from "effect"
import type { BackendUnavailable } from "../backend/Backend.ts"
import type { CachePolicy } from "../cache/CachePolicy.ts"
import type { Content } from "../content/Content.ts"
import type { InputRequired } from "../errors/InputRequired.ts"
import type { Declared, DomainErrorSchema } from "../errors/ToolError.ts"
import type { ToolContext } from "./ToolContext.ts"

/** Hints a client may show or act on: does the tool only read, can it destroy, is it safe to retry, does it reach out. */
export interface ToolHints {
  readonly title?: string
  readonly readOnly?: boolean
  readonly destructive?: boolean
  readonly idempotent?: boolean
  readonly openWorld?: boolean
}

/**
 * How a tool runs as a long-running task (the MCP Tasks extension, and jobs for 2025 clients). The call is stored as
 * a durable job and answered with a task handle; any instance runs it, and the client polls for the result.
 */
export interface TaskSupport<I> {
  /**
   * `optional`: a task when the client supports the Tasks extension, a plain call otherwise. `required`: always a
   * task; a 2026-07-28 client that does not declare the extension is refused (-32021), a 2025 client gets a job id
   * to poll with the job tools.
   */
  readonly mode: "optional" | "required"
  /**
   * Questions to ask before the task is created (multi round-trip, as `ToolContext.elicit`): their answers are kept
   * with the task, so the handler's own `elicit` with the same key finds them when it runs.
   */
  readonly before?: (input: I, context: ToolContext) => Effect.Effect<unknown, InputRequired>
  /** How long the task and its result are kept (default: the server's `jobs.keep`). */
  readonly keep?: Duration.Input
  /**
   * How many times the job is run before it is given up as failed, when a run dies (the process crashed) or fails
   * unexpectedly (default 3). A handler that changes things must make a repeated run harmless: it can key what it
   * writes on `context.job.id`, which is the same for every run of the job.
   */
  readonly maxAttempts?: number
}

/** What a tool declares. */
export interface ToolSpec<
  I extends Schema.Top,
  O extends Schema.Top | undefined,
  Errors extends ReadonlyArray<DomainErrorSchema>,
  R
> {
  readonly description: string
  readonly title?: string
  /**
   * The arguments, as an Effect Schema of an object. The client sees it as JSON Schema 2020-12. Objects are closed:
   * an argument the schema does not name is refused with an error naming it and the accepted ones. To accept extra
   * keys, say so in the schema (`Schema.StructWithRest(..., [Schema.Record(Schema.String, Schema.Json)])`).
   */
  readonly input: I
  /** The structured result, when the tool has one. Results are encoded with it into `structuredContent`. */
  readonly output?: O
  /**
   * The domain errors the agent may see, e.g. `[TicketNotFound, ToolError]`: each becomes a tool result with
   * `isError: true` and its message. The handler can fail with nothing else; anything else that reaches the
   * framework at run time is an internal error carrying the request id.
   */
  readonly errors?: Errors
  /**
   * The backends the tool calls, by name (e.g. `tickets-db`): every call runs under each one's policy (deadline,
   * retries if the tool is idempotent, circuit breaker, bulkhead; see `Backend.declare`), and a `backend` kill switch
   * on one of them takes the tool out of service.
   */
  readonly backends?: ReadonlyArray<string>
  /**
   * Which of `backends` one call calls, from its decoded input, for a tool whose input picks its backend (a
   * `database` argument, say): the call runs under those backends' policies only. Without it, every call runs under
   * all of `backends`. Kill switches still read `backends`: a switch on any of them takes the tool out of service.
   */
  readonly backendsOf?: (input: I["Type"]) => ReadonlyArray<string>
  /**
   * What to answer when a backend the tool calls is unavailable (timed out, circuit open, at capacity): a default,
   * or older data. The agent is told: the result says it is degraded, in its text and in `_meta`. Without a
   * fallback the agent gets a tool error naming the backend, what happened and when to retry.
   */
  readonly fallback?: (
    input: I["Type"],
    failure: BackendUnavailable
  ) => Effect.Effect<O extends Schema.Top ? O["Type"] : ToolOutput, never, R>
  readonly hints?: ToolHints
  /** Overrides the server's default per-call timeout for this tool. */
  readonly timeout?: Duration.Input
  /**
   * Reuse of the tool's answers (see `CachePolicy`): only for a tool that only reads (`hints.readOnly`); refused at
   * start-up otherwise.
   */
  readonly cache?: CachePolicy<I["Type"]>
  /** The cache tags a successful call of this (write) tool invalidates, from its arguments, e.g. `ticket:42`. */
  readonly invalidates?: (input: I["Type"]) => ReadonlyArray<string>
  /**
   * The resource URIs a successful call changes, e.g. `ticket://42`: their subscribers (of the call's tenant) are told
   * (`notifications/resources/updated`), after the call's cache invalidation, so a re-read is fresh.
   */
  readonly updatesResources?: (input: I["Type"]) => ReadonlyArray<string>
  /**
   * Accept the NUL character (U+0000) in text arguments. Refused by default, with an invalid-arguments result naming
   * the field, because no database stores it in text; set it only for a tool that passes such text to a backend
   * that does.
   */
  readonly allowNulCharacters?: boolean
  /** Runs the tool as a long-running task (see `TaskSupport`). */
  readonly task?: TaskSupport<I["Type"]>
  /** Does the work. */
  readonly handler: (
    input: I["Type"],
    context: ToolContext
  ) => Effect.Effect<O extends Schema.Top ? O["Type"] : ToolOutput, Declared<Errors> | InputRequired, R>
  /**
   * Renders the output as content blocks (text, images, links, ...). By default a tool with an output schema renders
   * its structured result as JSON text.
   */
  readonly content?: (output: O extends Schema.Top ? O["Type"] : ToolOutput) => ReadonlyArray<Content>
}

/** The result of a tool without an output schema: content blocks, plain text, or nothing. */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler that returns nothing is an Effect<void>
export type ToolOutput = ReadonlyArray<Content> | string | void

/** A tool of a plugin; `R` is what its handler needs from the plugin's layer. */
export interface Tool<R = never> {
  readonly _tag: "Tool"
  readonly name: string
  readonly spec: ToolSpec<Schema.Top, Schema.Top | undefined, ReadonlyArray<DomainErrorSchema>, R>
}

/** Declares a tool. */
export const make = <
  I extends Schema.Top,
  R,
  O extends Schema.Top | undefined = undefined,
  const Errors extends ReadonlyArray<DomainErrorSchema> = readonly []
>(
  name: string,
  spec: ToolSpec<I, O, Errors, R>
): Tool<R> => ({ _tag: "Tool", name, spec: spec as unknown as Tool<R>["spec"] })

/** Turns tool hints into MCP annotations. */
export const annotations = (hints: ToolHints | undefined): ToolAnnotations | undefined => {
  if (hints === undefined) return undefined
  const out: ToolAnnotations = {}
  if (hints.title !== undefined) out.title = hints.title
  if (hints.readOnly !== undefined) out.readOnlyHint = hints.readOnly
  if (hints.destructive !== undefined) out.destructiveHint = hints.destructive
  if (hints.idempotent !== undefined) out.idempotentHint = hints.idempotent
  if (hints.openWorld !== undefined) out.openWorldHint = hints.openWorld
  return out
}
