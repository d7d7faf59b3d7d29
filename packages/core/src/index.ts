/**
 * `@bulwark/core`: the tool/plugin API (Effect Schema in, JSON Schema 2020-12 out, declared domain errors, declared
 * backends), the request pipeline (phases packages fill, a method table they extend, facts carried as immutable
 * values and services), and the ports transports and packages meet at (authentication, edge exchanges, change
 * notifications, admission). It knows nothing of HTTP, stdio, databases or tenants.
 */

/** Load shedding: a server-wide in-flight limit with a short bounded queue. */
export * as Admission from "./admission/Admission.ts"
export { AdmissionConfig, Overloaded } from "./admission/Admission.ts"
export * as LoopPressure from "./admission/LoopPressure.ts"
/** Who is calling: the transport-neutral authentication port. */
export * as Authentication from "./authentication/Authentication.ts"
export { AuthenticationRefused, type Claimed, type Credentials } from "./authentication/Authentication.ts"
/** Backends plugins call, with the policy every call runs under. */
export * as Backend from "./backend/Backend.ts"
export { BackendUnavailable } from "./backend/Backend.ts"
/** Reuse of answers, as tools and resources declare it. */
export type { ResolvedCachePolicy } from "./cache/CachePolicy.ts"
export * as CachePolicy from "./cache/CachePolicy.ts"
export type { CatalogShape } from "./catalog/Catalog.ts"
/** The compiled catalog of tools, resources and prompts. */
export * as Catalog from "./catalog/Catalog.ts"
export { CatalogConflict } from "./catalog/CatalogConflict.ts"
export { CatalogInvalid } from "./catalog/CatalogInvalid.ts"
export type { CompiledPrompt } from "./catalog/CompiledPrompt.ts"
export type { CompiledStaticResource, CompiledTemplate, ResourceReader } from "./catalog/CompiledResource.ts"
export { type CompiledTaskSupport, type CompiledTool, DEGRADED_META_KEY } from "./catalog/CompiledTool.ts"
export { type FoundResource, findResource } from "./catalog/findResource.ts"
export { toInputRequiredResult } from "./catalog/inputRequired.ts"
/** Content blocks of results and messages. */
export * as Content from "./content/Content.ts"
/** Exchanges that ended at the edge, before or without a pipeline request. */
export { type EdgeExchange, EdgeExchanges } from "./edge/EdgeExchanges.ts"
/** Failures: protocol errors, refusals, domain errors, requests for input. */
export { InputRequired } from "./errors/InputRequired.ts"
export { ErrorCode, internalError, invalidParams, McpError, resourceNotFound } from "./errors/McpError.ts"
export {
  forbidden,
  type LimitDetails,
  limitExceeded,
  Refused,
  refusedAs,
  retryAfterSeconds
} from "./errors/Refused.ts"
export { type Declared, type DomainError, type DomainErrorSchema, ToolError } from "./errors/ToolError.ts"
export { isTransient, UNAVAILABLE_CODE, unavailable } from "./errors/Unavailable.ts"
/** Canonical JSON text (sorted keys): audit hashes and cache keys. */
export { canonicalJson, type JsonValue } from "./json/CanonicalJson.ts"
/** Change events from handlers to connected clients. */
export { Notifier, type NotifierShape } from "./notify/Notifier.ts"
/** The access log: one line per request, all, failures only, or none, with sampling. */
export * as AccessLog from "./pipeline/AccessLog.ts"
export { AccessLogConfig } from "./pipeline/AccessLog.ts"
/** The request pipeline. */
export { type Call, CurrentCall, DEFAULT_TENANT } from "./pipeline/Call.ts"
export { Deadline, type RequestDeadline, remainingMillis, TimeoutCap } from "./pipeline/Deadline.ts"
export { insideSpan } from "./pipeline/InsideSpan.ts"
export { type Method, mergeCapabilities } from "./pipeline/Method.ts"
export * as Outcome from "./pipeline/Outcome.ts"
export type { PipelineConfig, PipelineShape, StageEntry } from "./pipeline/Pipeline.ts"
export * as Pipeline from "./pipeline/Pipeline.ts"
export { servingContext } from "./pipeline/ServingContext.ts"
export type { Handler, Phase, PipelineError } from "./pipeline/Stage.ts"
export * as Stage from "./pipeline/Stage.ts"
export type { TimeoutPolicy } from "./pipeline/stages/Deadline.ts"
export * as Target from "./pipeline/Target.ts"
export type { Bound, Configurable, Installable, Installed } from "./plugin/Plugin.ts"
/** Plugins and how they are installed. */
export * as Plugin from "./plugin/Plugin.ts"
export type { Message, PromptSpec } from "./prompt/Prompt.ts"
/** Prompts. */
export * as Prompt from "./prompt/Prompt.ts"
/** What a request carries. */
export { type Access, CurrentAccess } from "./request/Access.ts"
export { type ClientChannel, silentChannel } from "./request/ClientChannel.ts"
export type { JobRun, McpRequest, McpResult, Params, ProtocolEra } from "./request/McpRequest.ts"
export { makeRequest } from "./request/makeRequest.ts"
export type { AuthenticationMethod, Principal } from "./request/Principal.ts"
export { makeRequestId } from "./request/RequestId.ts"
export type {
  ListedResource,
  ResourceBody,
  ResourceInfo,
  ResourceTemplate,
  StaticResource
} from "./resource/Resource.ts"
/** Resources. */
export * as Resource from "./resource/Resource.ts"
export { ResourceNotFound } from "./resource/ResourceNotFound.ts"
/** Schemas: decoding untrusted input, JSON Schema, elicitation forms, sensitive fields, configuration defaults. */
export {
  type Decoder,
  type DecoderOptions,
  describeIssue,
  describeIssues,
  type InputIssue,
  makeDecoder
} from "./schema/Decoder.ts"
export { type ElicitationSchema, toElicitationSchema } from "./schema/ElicitationSchema.ts"
export { type JsonSchemaObject, toJsonSchema } from "./schema/JsonSchema.ts"
export { makeRedactor, REDACTED, sensitive } from "./schema/Redaction.ts"
export { withDefault } from "./schema/WithDefault.ts"
export type { TaskSupport, ToolHints, ToolOutput, ToolSpec } from "./tool/Tool.ts"
/** Tools and what their handlers can do. */
export * as Tool from "./tool/Tool.ts"
export type { Answers, ElicitOutcome, ToolContext } from "./tool/ToolContext.ts"
export { carriedAnswers, makeToolContext } from "./tool/ToolContext.ts"
