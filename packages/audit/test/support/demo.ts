/** A tiny catalog and pipeline with the audit stage and two guards that refuse, like the app would build. */
import { AuditStage } from "@bulwark/audit"
import {
  Catalog,
  forbidden,
  limitExceeded,
  type McpRequest,
  makeRequest,
  Notifier,
  Pipeline,
  Plugin,
  type Principal,
  Prompt,
  Resource,
  Stage,
  sensitive,
  Tool,
  ToolError
} from "@bulwark/core"
import { Effect, Layer, Schema } from "effect"

/** The demo plugin: a tool with sensitive fields, a failing tool, a guarded tool, an elicitation, a resource, a prompt. */
export const demo = Plugin.make({
  name: "demo",
  version: "1.0.0",
  tools: [
    Tool.make("login", {
      description: "Logs in",
      input: Schema.Struct({
        user: Schema.String,
        password: sensitive(Schema.String),
        profile: Schema.optionalKey(Schema.Struct({ token: sensitive(Schema.String), note: Schema.String }))
      }),
      handler: ({ user }) => Effect.succeed(`welcome ${user}`)
    }),
    Tool.make("fail_tool", {
      description: "Always a domain error",
      input: Schema.Struct({ reason: Schema.String }),
      errors: [ToolError],
      handler: ({ reason }) => Effect.fail(new ToolError({ message: reason }))
    }),
    Tool.make("delete_everything", {
      description: "Refused by the authorization guard",
      input: Schema.Struct({ apiSecret: sensitive(Schema.String) }),
      handler: () => Effect.succeed("gone")
    }),
    Tool.make("slow", {
      description: "Takes its time",
      input: Schema.Struct({}),
      handler: () => Effect.sleep("10 seconds").pipe(Effect.as("done"))
    }),
    Tool.make("confirm", {
      description: "Asks before acting",
      input: Schema.Struct({}),
      handler: (_, ctx) =>
        Effect.map(
          ctx.elicit("ok", { message: "Sure?", schema: Schema.Struct({ confirm: Schema.Boolean }) }),
          () => "ok"
        )
    })
  ],
  resources: [
    Resource.template("demo://{id}", {
      name: "demo item",
      read: ({ id }) => Effect.succeed({ text: `item ${id}` })
    })
  ],
  prompts: [
    Prompt.make("greet", {
      description: "Greets",
      args: Schema.Struct({ name: Schema.String, pin: sensitive(Schema.String) }),
      handler: ({ name }) => Effect.succeed([Prompt.user(`Hello ${name}`)])
    })
  ]
})

/** Refuses `delete_everything`, as an authorization stage would. */
export const authorization = Stage.make(
  "authorization",
  "admit",
  (next) => (call) =>
    call.target._tag === "ToolCall" && call.target.name === "delete_everything"
      ? Effect.fail(forbidden("authorization", "You may not use delete_everything"))
      : next(call)
)

/** Refuses every request of tenant `throttled`, as a rate limit would. */
export const rateLimit = Stage.make(
  "rate-limit",
  "limit",
  (next) => (call) =>
    call.tenantId === "throttled"
      ? Effect.fail(limitExceeded("rate-limit", { limit: "tenant rate", retryAfterMs: 1000 }))
      : next(call)
)

/** The pipeline with the audit stage and both guards, over the demo catalog; needs the `AuditLog`. */
export const PipelineWithAudit = Layer.unwrap(
  Effect.map(AuditStage.make, (audit) =>
    Pipeline.layer({ ...Pipeline.defaultConfig, stages: [audit, authorization, rateLimit] })
  )
).pipe(Layer.provideMerge(Catalog.layer([demo])), Layer.provide(Notifier.none))

/** A principal of tenant `acme` (or another). */
export const principal = (tenantId = "acme", subject = "key-1"): Principal => ({
  tenantId,
  subject,
  scopes: [],
  method: "api-key"
})

/** A request as a transport would hand it to the pipeline; `null` for one without a principal. */
export const request = (
  method: string,
  params: Record<string, unknown>,
  who: Principal | null = principal()
): McpRequest => makeRequest(method, params, who === null ? {} : { principal: who })

/** Sends a request through the pipeline; a JSON-RPC error comes back as its value, not a failure. */
export const send = (req: McpRequest) =>
  Effect.flatMap(Pipeline.Pipeline, (pipeline) => Effect.result(pipeline.handle(req)))
