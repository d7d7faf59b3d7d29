/**
 * The conformance fixture: everything the official MCP conformance suite's server scenarios look up, declared with
 * Bulwark's own tool API (tools, resources, prompts, completions).
 */
import {
  Content,
  type ElicitOutcome,
  type InputRequired,
  Plugin,
  Prompt,
  Resource,
  Tool,
  type ToolContext,
  ToolError
} from "@bulwark/core"
import { Effect, Schema } from "effect"

/** A 1x1 red PNG pixel, base64. */
export const TEST_IMAGE_BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="

/** A minimal WAV file, base64. */
export const TEST_AUDIO_BASE64 = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA="

const NoInput = Schema.Struct({})

const sleep = Effect.sleep("50 millis")

const tools = [
  Tool.make("test_simple_text", {
    description: "Tests simple text content response",
    input: NoInput,
    handler: () => Effect.succeed("This is a simple text response for testing.")
  }),
  Tool.make("test_image_content", {
    description: "Tests image content response",
    input: NoInput,
    handler: () => Effect.succeed([Content.image(TEST_IMAGE_BASE64, "image/png")])
  }),
  Tool.make("test_audio_content", {
    description: "Tests audio content response",
    input: NoInput,
    handler: () => Effect.succeed([Content.audio(TEST_AUDIO_BASE64, "audio/wav")])
  }),
  Tool.make("test_embedded_resource", {
    description: "Tests embedded resource content response",
    input: NoInput,
    handler: () =>
      Effect.succeed([
        Content.embeddedResource("test://embedded-resource", {
          text: "This is an embedded resource content.",
          mimeType: "text/plain"
        })
      ])
  }),
  Tool.make("test_multiple_content_types", {
    description: "Tests response with multiple content types (text, image, resource)",
    input: NoInput,
    handler: () =>
      Effect.succeed([
        Content.text("Multiple content types test:"),
        Content.image(TEST_IMAGE_BASE64, "image/png"),
        Content.embeddedResource("test://mixed-content-resource", {
          text: JSON.stringify({ test: "data", value: 123 }),
          mimeType: "application/json"
        })
      ])
  }),
  Tool.make("test_resource_link", {
    description: "Tests resource link content response (a link the client can read later)",
    input: NoInput,
    handler: () =>
      Effect.succeed([
        Content.text("See the static text resource:"),
        Content.resourceLink("test://static-text", "static-text", { mimeType: "text/plain" })
      ])
  }),
  Tool.make("test_tool_with_logging", {
    description: "Tests tool that emits log messages during execution",
    input: NoInput,
    handler: (_, ctx) =>
      Effect.gen(function* () {
        yield* ctx.log("info", "Tool execution started")
        yield* sleep
        yield* ctx.log("info", "Tool processing data")
        yield* sleep
        yield* ctx.log("info", "Tool execution completed")
        return "Tool with logging executed successfully"
      })
  }),
  Tool.make("test_tool_with_progress", {
    description: "Tests tool that reports progress notifications",
    input: NoInput,
    handler: (_, ctx) =>
      Effect.gen(function* () {
        yield* ctx.progress(0, 100, "Completed step 0 of 100")
        yield* sleep
        yield* ctx.progress(50, 100, "Completed step 50 of 100")
        yield* sleep
        yield* ctx.progress(100, 100, "Completed step 100 of 100")
        return String(ctx.call.request.meta.progressToken ?? "no progress token")
      })
  }),
  Tool.make("test_error_handling", {
    description: "Tests error response handling",
    input: NoInput,
    errors: [ToolError],
    handler: () => Effect.fail(new ToolError({ message: "This tool intentionally returns an error for testing" }))
  }),
  Tool.make("test_sampling", {
    description: "Tests server-initiated sampling (LLM completion request)",
    input: Schema.Struct({ prompt: Schema.String.annotate({ description: "The prompt to send to the LLM" }) }),
    handler: ({ prompt }, ctx) =>
      Effect.map(
        ctx.sample("completion", {
          messages: [{ role: "user", content: { type: "text", text: prompt } }],
          maxTokens: 100
        }),
        (result) => {
          const content = result.content
          const text = !Array.isArray(content) && content.type === "text" ? content.text : "No response"
          return `LLM response: ${text}`
        }
      )
  }),
  Tool.make("test_elicitation", {
    description: "Tests server-initiated elicitation (user input request)",
    input: Schema.Struct({ message: Schema.String.annotate({ description: "The message to show the user" }) }),
    handler: ({ message }, ctx) =>
      Effect.map(
        ctx.elicit("user_info", {
          message,
          schema: Schema.Struct({
            username: Schema.String.annotate({ description: "User's response" }),
            email: Schema.String.annotate({ description: "User's email address" })
          })
        }),
        (outcome) =>
          `User response: action=${outcome.action}, content=${JSON.stringify(outcome.action === "accept" ? outcome.content : {})}`
      )
  })
]

/** A string literal with a display title: a titled option of an elicitation enum. */
const option = (value: string, title: string) => Schema.Literal(value).annotate({ title })

const elicitationResult = (outcome: ElicitOutcome<unknown>): string =>
  `Elicitation completed: action=${outcome.action}, content=${JSON.stringify(outcome.action === "accept" ? outcome.content : {})}`

/** The text of an accepted elicitation field, or a fallback. */
const field = (outcome: ElicitOutcome<Readonly<Record<string, unknown>>>, key: string, fallback: string): string => {
  const value = outcome.action === "accept" ? outcome.content[key] : undefined
  return typeof value === "string" ? value : fallback
}

/** What the client's model answered to `ctx.sample`. */
type Sampled = Effect.Success<ReturnType<ToolContext["sample"]>>

const sampledText = (result: Sampled): string => {
  const content = result.content
  return !Array.isArray(content) && content.type === "text" ? content.text : "(no text)"
}

const askName = (ctx: ToolContext, key: string, message = "What is your name?") =>
  ctx.elicit(key, { message, schema: Schema.Struct({ name: Schema.String }) })

const elicitationSchemaTools = [
  Tool.make("test_elicitation_sep1034_defaults", {
    description: "Tests elicitation with default values per SEP-1034",
    input: NoInput,
    handler: (_, ctx) =>
      Effect.map(
        ctx.elicit("defaults", {
          message: "Please review and update the form fields with defaults",
          schema: Schema.Struct({
            name: Schema.optionalKey(Schema.String.annotate({ description: "User name", default: "John Doe" })),
            age: Schema.optionalKey(Schema.Int.annotate({ description: "User age", default: 30 })),
            score: Schema.optionalKey(Schema.Finite.annotate({ description: "User score", default: 95.5 })),
            status: Schema.optionalKey(
              Schema.Literals(["active", "inactive", "pending"]).annotate({
                description: "User status",
                default: "active"
              })
            ),
            verified: Schema.optionalKey(Schema.Boolean.annotate({ description: "Verification status", default: true }))
          })
        }),
        elicitationResult
      )
  }),
  Tool.make("test_elicitation_sep1330_enums", {
    description: "Tests elicitation with enum schema improvements per SEP-1330",
    input: NoInput,
    handler: (_, ctx) =>
      Effect.map(
        ctx.elicit("enums", {
          message: "Please select options from the enum fields",
          schema: Schema.Struct({
            untitledSingle: Schema.optionalKey(
              Schema.Literals(["option1", "option2", "option3"]).annotate({ description: "Select one option" })
            ),
            titledSingle: Schema.optionalKey(
              Schema.Union([
                option("value1", "First Option"),
                option("value2", "Second Option"),
                option("value3", "Third Option")
              ]).annotate({ description: "Select one option with titles" })
            ),
            legacyEnum: Schema.optionalKey(
              Schema.Literals(["opt1", "opt2", "opt3"]).annotate({
                description: "Select one option (legacy)",
                enumNames: ["Option One", "Option Two", "Option Three"]
              })
            ),
            untitledMulti: Schema.optionalKey(
              Schema.Array(Schema.Literals(["option1", "option2", "option3"]))
                .check(Schema.isMinLength(1), Schema.isMaxLength(3))
                .annotate({ description: "Select multiple options" })
            ),
            titledMulti: Schema.optionalKey(
              Schema.Array(
                Schema.Union([
                  option("value1", "First Choice"),
                  option("value2", "Second Choice"),
                  option("value3", "Third Choice")
                ])
              )
                .check(Schema.isMinLength(1), Schema.isMaxLength(3))
                .annotate({ description: "Select multiple options with titles" })
            )
          })
        }),
        elicitationResult
      )
  })
]

/** Multi-round-trip tools (2026-07-28 `input_required`; the SDK's shim serves 2025 clients the same way). */
const inputRequiredTools = [
  Tool.make("test_input_required_result_elicitation", {
    description: "MRTR: returns InputRequiredResult with elicitation request",
    input: NoInput,
    handler: (_, ctx) =>
      Effect.map(askName(ctx, "user_name"), (outcome) => `Hello, ${field(outcome, "name", "friend")}!`)
  }),
  Tool.make("test_input_required_result_sampling", {
    description: "MRTR: returns InputRequiredResult with sampling request",
    input: NoInput,
    handler: (_, ctx) =>
      Effect.map(
        ctx.sample("capital_question", {
          messages: [{ role: "user", content: { type: "text", text: "What is the capital of France?" } }],
          maxTokens: 100
        }),
        (result) => `LLM response: ${sampledText(result)}`
      )
  }),
  Tool.make("test_input_required_result_list_roots", {
    description: "MRTR: returns InputRequiredResult with roots/list request",
    input: NoInput,
    handler: (_, ctx) =>
      Effect.map(ctx.listRoots("client_roots"), ({ roots }) => `Roots: ${roots.map((root) => root.uri).join(", ")}`)
  }),
  Tool.make("test_input_required_result_request_state", {
    description: "MRTR: returns InputRequiredResult with requestState",
    input: NoInput,
    handler: (_, ctx) =>
      Effect.map(
        ctx.elicit("confirm", { message: "Please confirm", schema: Schema.Struct({ ok: Schema.Boolean }) }),
        (outcome) =>
          // The transport verified the echoed requestState before this run began (a tampered one never gets here).
          `state-ok: requestState validated, confirmed=${outcome.action === "accept" && outcome.content.ok}`
      )
  }),
  Tool.make("test_input_required_result_multiple_inputs", {
    description: "MRTR: returns InputRequiredResult with multiple input requests",
    input: NoInput,
    handler: (_, ctx) =>
      Effect.map(
        ctx.all([
          askName(ctx, "user_name"),
          ctx.sample("greeting", {
            messages: [{ role: "user", content: { type: "text", text: "Generate a greeting" } }],
            maxTokens: 50
          }),
          ctx.listRoots("client_roots")
        ]),
        ([name, greeting, { roots }]) =>
          `${sampledText(greeting)} ${field(name, "name", "friend")} (${roots.length} roots)`
      )
  }),
  Tool.make("test_input_required_result_multi_round", {
    description: "MRTR: multi-round InputRequiredResult workflow",
    input: NoInput,
    handler: (_, ctx) =>
      Effect.gen(function* () {
        const name = yield* askName(ctx, "step1", "Step 1: What is your name?")
        const color = yield* ctx.elicit("step2", {
          message: "Step 2: What is your favorite color?",
          schema: Schema.Struct({ color: Schema.String })
        })
        return `${field(name, "name", "friend")} likes ${field(color, "color", "no color")}`
      })
  }),
  Tool.make("test_input_required_result_tampered_state", {
    description: "MRTR: HMAC-signed requestState integrity test",
    input: NoInput,
    handler: (_, ctx) =>
      Effect.map(
        ctx.elicit("confirm", { message: "Please confirm", schema: Schema.Struct({ ok: Schema.Boolean }) }),
        (outcome) => `confirmed=${outcome.action === "accept" && outcome.content.ok}`
      )
  }),
  Tool.make("test_input_required_result_capabilities", {
    description: "MRTR: respects client capabilities in inputRequests",
    input: NoInput,
    handler: (_, ctx) =>
      Effect.gen(function* () {
        const capabilities = ctx.clientCapabilities ?? {}
        const questions: Array<Effect.Effect<string, InputRequired>> = []
        if (capabilities.sampling !== undefined) {
          questions.push(
            Effect.map(
              ctx.sample("sample", {
                messages: [{ role: "user", content: { type: "text", text: "Say hello" } }],
                maxTokens: 50
              }),
              sampledText
            )
          )
        }
        if (capabilities.elicitation !== undefined) {
          questions.push(Effect.map(askName(ctx, "user_name"), (outcome) => field(outcome, "name", "friend")))
        }
        if (questions.length === 0) return "the client declared neither sampling nor elicitation"
        const answers = yield* ctx.all(questions)
        return answers.join(" ")
      })
  }),
  Tool.make("test_missing_capability", {
    description: "Needs sampling: a client that did not declare it is refused with -32021",
    input: NoInput,
    handler: (_, ctx) =>
      Effect.map(
        ctx.sample("sample", {
          messages: [{ role: "user", content: { type: "text", text: "Say hello" } }],
          maxTokens: 50
        }),
        sampledText
      )
  })
]

/** Tools the 2026-07-28 stateless scenario probes to exercise the response stream and list-change notifications. */
const diagnosticTools = [
  Tool.make("test_streaming_elicitation", {
    description: "Diagnostic: reports progress, then asks for input through an input_required result",
    input: NoInput,
    handler: (_, ctx) =>
      Effect.gen(function* () {
        yield* ctx.progress(50, 100, "Halfway")
        const outcome = yield* ctx.elicit("stream_confirm", {
          message: "Continue?",
          schema: Schema.Struct({ ok: Schema.Boolean })
        })
        return `Streaming complete: ${outcome.action}`
      })
  }),
  Tool.make("test_logging_tool", {
    description: "Diagnostic: logs a message (delivered only when the request asked for a log level)",
    input: NoInput,
    handler: (_, ctx) => Effect.as(ctx.log("info", "Diagnostic trace logging activated"), "Logging evaluated")
  }),
  Tool.make("test_trigger_tool_change", {
    description: "Diagnostic: publishes a tool list change",
    input: NoInput,
    handler: (_, ctx) => Effect.as(ctx.notify.toolsChanged, "Mutation triggered")
  }),
  Tool.make("test_trigger_prompt_change", {
    description: "Diagnostic: publishes a prompt list change",
    input: NoInput,
    handler: (_, ctx) => Effect.as(ctx.notify.promptsChanged, "Mutation triggered")
  }),
  Tool.make("test_trigger_resource_update", {
    description: "Diagnostic: publishes an update of test://watched-resource to its subscribers",
    input: NoInput,
    handler: (_, ctx) => Effect.as(ctx.notify.resourceUpdated("test://watched-resource"), "Update published")
  })
]

const resources = [
  Resource.make("test://static-text", {
    name: "static-text",
    title: "Static Text Resource",
    description: "A static text resource for testing",
    mimeType: "text/plain",
    read: () => Effect.succeed({ text: "This is the content of the static text resource." })
  }),
  Resource.make("test://static-binary", {
    name: "static-binary",
    title: "Static Binary Resource",
    description: "A static binary resource (image) for testing",
    mimeType: "image/png",
    read: () => Effect.succeed({ blob: Buffer.from(TEST_IMAGE_BASE64, "base64"), mimeType: "image/png" })
  }),
  Resource.make("test://watched-resource", {
    name: "watched-resource",
    title: "Watched Resource",
    description: "A resource clients can subscribe to",
    mimeType: "text/plain",
    read: () => Effect.succeed({ text: "Watched resource content" })
  }),
  Resource.template("test://template/{id}/data", {
    name: "template",
    title: "Resource Template",
    description: "A resource template with parameter substitution",
    mimeType: "application/json",
    read: ({ id }) => Effect.succeed({ text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }) }),
    complete: { id: (value) => Effect.succeed(["1", "2", "3", "123"].filter((id) => id.startsWith(value))) }
  })
]

const prompts = [
  Prompt.make("test_simple_prompt", {
    title: "Simple Test Prompt",
    description: "A simple prompt without arguments",
    args: NoInput,
    handler: () => Effect.succeed([Prompt.user("This is a simple prompt for testing.")])
  }),
  Prompt.make("test_prompt_with_arguments", {
    title: "Prompt With Arguments",
    description: "A prompt with required arguments",
    args: Schema.Struct({
      arg1: Schema.String.annotate({ description: "First test argument" }),
      arg2: Schema.String.annotate({ description: "Second test argument" })
    }),
    complete: {
      arg1: (value) => Effect.succeed(["paris", "park", "party", "test"].filter((word) => word.startsWith(value)))
    },
    handler: ({ arg1, arg2 }) => Effect.succeed([Prompt.user(`Prompt with arguments: arg1='${arg1}', arg2='${arg2}'`)])
  }),
  Prompt.make("test_prompt_with_embedded_resource", {
    title: "Prompt With Embedded Resource",
    description: "A prompt that includes an embedded resource",
    args: Schema.Struct({ resourceUri: Schema.String.annotate({ description: "URI of the resource to embed" }) }),
    handler: ({ resourceUri }) =>
      Effect.succeed([
        {
          role: "user" as const,
          content: Content.embeddedResource(resourceUri, {
            text: "Embedded resource content for testing.",
            mimeType: "text/plain"
          })
        },
        Prompt.user("Please process the embedded resource above.")
      ])
  }),
  Prompt.make("test_input_required_result_prompt", {
    description: "MRTR: prompts/get that first asks the user for context",
    args: NoInput,
    handler: (_, ctx) =>
      Effect.map(
        ctx.elicit("user_context", {
          message: "What context should the prompt use?",
          schema: Schema.Struct({ context: Schema.String })
        }),
        (outcome) => [Prompt.user(`Use this context: ${field(outcome, "context", "none")}`)]
      )
  }),
  Prompt.make("test_prompt_with_image", {
    title: "Prompt With Image",
    description: "A prompt that includes image content",
    args: NoInput,
    handler: () =>
      Effect.succeed([
        { role: "user" as const, content: Content.image(TEST_IMAGE_BASE64, "image/png") },
        Prompt.user("Please analyze the image above.")
      ])
  })
]

/** The Tasks extension's fixtures (SEP-2663 scenarios): tools that run as durable jobs. */
const taskTools = [
  Tool.make("greet", {
    description: "Greets someone (a plain tool: never a task)",
    input: Schema.Struct({ name: Schema.String }),
    handler: ({ name }) => Effect.succeed(`Hello, ${name}!`)
  }),
  Tool.make("slow_compute", {
    description: "Sleeps `seconds` seconds, then answers (a task when the client supports tasks)",
    input: Schema.Struct({
      seconds: Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0)),
      label: Schema.optionalKey(Schema.String)
    }),
    task: { mode: "optional" },
    timeout: "2 minutes",
    handler: ({ seconds, label }) =>
      Effect.as(Effect.sleep(`${seconds} seconds`), `Computed ${label ?? "result"} after ${seconds} s`)
  }),
  Tool.make("failing_job", {
    description: "Always ends in a tool error after about a second (must run as a task)",
    input: NoInput,
    errors: [ToolError],
    task: { mode: "required" },
    handler: () => Effect.andThen(Effect.sleep("1 second"), Effect.fail(new ToolError({ message: "The job failed" })))
  }),
  Tool.make("protocol_error_job", {
    description: "Fails unexpectedly: its task fails with an internal error",
    input: NoInput,
    task: { mode: "optional", maxAttempts: 1 },
    handler: () => Effect.die(new Error("protocol_error_job fails on purpose"))
  }),
  Tool.make("confirm_delete", {
    description: "Asks for confirmation, then deletes (pretends to)",
    input: Schema.Struct({ filename: Schema.String }),
    task: { mode: "optional" },
    handler: ({ filename }, ctx) =>
      Effect.map(
        ctx.elicit("confirm", {
          message: `Delete ${filename}?`,
          schema: Schema.Struct({ confirm: Schema.Boolean })
        }),
        (outcome) =>
          outcome.action === "accept" && outcome.content.confirm ? `Deleted ${filename}` : `Kept ${filename}`
      )
  }),
  Tool.make("multi_input", {
    description: "Asks two questions at once",
    input: NoInput,
    task: { mode: "optional" },
    handler: (_, ctx) => {
      const answer = Schema.Struct({
        name: Schema.optionalKey(Schema.String),
        confirm: Schema.optionalKey(Schema.Boolean)
      })
      return Effect.map(
        ctx.all([
          ctx.elicit("first", { message: "First question", schema: answer }),
          ctx.elicit("second", { message: "Second question", schema: answer })
        ]),
        ([first, second]) => `Answers: ${first.action}, ${second.action}`
      )
    }
  }),
  Tool.make("test_tool_with_task", {
    description: "Asks for the user's name, then runs as a task that greets them",
    input: NoInput,
    task: { mode: "required", before: (_, ctx) => askName(ctx, "user_name") },
    handler: (_, ctx) =>
      Effect.map(askName(ctx, "user_name"), (outcome) => `Hello, ${field(outcome, "name", "friend")}!`)
  })
]

/** The fixture plugin the conformance fixture server serves. */
export const conformancePlugin = Plugin.make({
  name: "conformance",
  version: "1.0.0",
  description: "Everything the MCP conformance suite's server scenarios look up",
  tools: [...tools, ...elicitationSchemaTools, ...inputRequiredTools, ...diagnosticTools, ...taskTools],
  resources,
  prompts
})
