/**
 * The request pipeline every transport feeds. It is built once from the catalog, the method table and the stages
 * packages contribute; serving a request resolves what it is about once (`Target`), makes the immutable `Call`, and
 * runs it through the stages in phase order (see `Stage.ts`) to the method that serves it. The order is one visible
 * list: `pipeline.stages` names every stage with its phase.
 *
 * The framework's own stages: `tracing`, `logging`, `metrics` (observe), `containment` (resolve),
 * `malformed-params` and `validation` (validate), `deadline` (execute). Packages add theirs through `stages`:
 * `@bulwark/audit` observes, `@bulwark/tenancy` admits and limits; caching and idempotency reuse, tasks execute.
 */

import type { RequestMetrics } from "@bulwark/observability"
import type { ServerCapabilities } from "@modelcontextprotocol/server"
import { Context, Effect, Layer } from "effect"
import { Catalog } from "../catalog/Catalog.ts"
import { ErrorCode, McpError } from "../errors/McpError.ts"
import { Notifier } from "../notify/Notifier.ts"
import type { McpRequest, McpResult } from "../request/McpRequest.ts"
import { makeRequestId } from "../request/RequestId.ts"
import type { AccessLogConfig } from "./AccessLog.ts"
import * as AccessLog from "./AccessLog.ts"
import { type Call, DEFAULT_TENANT } from "./Call.ts"
import { type Method, mergeCapabilities } from "./Method.ts"
import { coreMethods } from "./methods/CoreMethods.ts"
import * as Stage from "./Stage.ts"
import { containment } from "./stages/Containment.ts"
import { deadline, type TimeoutPolicy } from "./stages/Deadline.ts"
import { logging } from "./stages/Logging.ts"
import { metrics } from "./stages/Metrics.ts"
import { tracing } from "./stages/Tracing.ts"
import { malformed, validation } from "./stages/Validation.ts"
import type { Target } from "./Target.ts"

/** How the pipeline is composed: its own settings, and what packages contribute. */
export interface PipelineConfig {
  readonly timeout: TimeoutPolicy
  /** Stages packages contribute, each in its phase (audit, tenancy, rate limits, caching, tasks, ...). */
  readonly stages?: ReadonlyArray<Stage.Stage>
  /** Methods besides the core ones (an extension's `tasks/*`, ...). */
  readonly methods?: ReadonlyArray<Method>
  /** Capabilities to announce besides those of the methods (e.g. an `extensions` entry). */
  readonly capabilities?: ServerCapabilities
  /** Which requests get an access-log line (default: every request). */
  readonly accessLog?: AccessLogConfig
  /** Which request series carry `tenant_id` (default `counters`: the request counter, not the histogram). */
  readonly tenantLabel?: RequestMetrics.TenantLabel
}

/** The defaults: 30 s per call, a tool may declare up to 5 minutes. */
export const defaultConfig: PipelineConfig = { timeout: { default: "30 seconds", max: "5 minutes" } }

/** A stage as the pipeline lists it. */
export interface StageEntry {
  readonly name: string
  readonly phase: Stage.Phase
}

/** Serves MCP requests through the ordered stages to the method table. */
export interface PipelineShape {
  readonly handle: (request: McpRequest) => Effect.Effect<McpResult, Stage.PipelineError>
  readonly catalog: Catalog["Service"]
  /** The methods the pipeline serves (transports route these to it). */
  readonly methods: ReadonlyArray<Method>
  /** What the server announces it supports: the union of its methods' contributions and the configured ones. */
  readonly capabilities: ServerCapabilities
  /** Every stage in the order a request passes them, outermost first. */
  readonly stages: ReadonlyArray<StageEntry>
}

/** The request pipeline every transport feeds. */
export class Pipeline extends Context.Service<Pipeline, PipelineShape>()("@bulwark/core/Pipeline") {}

/** The framework's own stages. */
const ownStages = (config: PipelineConfig): ReadonlyArray<Stage.Stage> => [
  tracing,
  logging(config.accessLog ?? AccessLog.everything),
  metrics(config.tenantLabel),
  containment,
  malformed,
  validation,
  deadline(config.timeout)
]

const notServed = (method: string) =>
  Effect.fail(new McpError({ code: ErrorCode.MethodNotFound, message: `Method not found: ${method}` }))

/** Builds the pipeline once, over the catalog and notifier in context. */
export const make = (config: PipelineConfig = defaultConfig): Effect.Effect<PipelineShape, never, Catalog | Notifier> =>
  Effect.gen(function* () {
    const catalog = yield* Catalog
    const notifier = yield* Notifier
    const methods = [...coreMethods(catalog, notifier), ...(config.methods ?? [])]
    const table = new Map<string, Method>()
    for (const method of methods) table.set(method.name, method)
    const stages = Stage.sort([...ownStages(config), ...(config.stages ?? [])])
    const serve: Stage.Handler = (call) => {
      const method = table.get(call.request.method)
      return method === undefined ? notServed(call.request.method) : method.serve(call)
    }
    const handler = Stage.chain(stages, serve)
    const resolve = (request: McpRequest): Target => {
      const method = table.get(request.method)
      return method === undefined ? { _tag: "UnknownMethod", method: request.method } : method.resolve(request.params)
    }
    return {
      catalog,
      methods: [...table.values()],
      capabilities: mergeCapabilities([...methods.map((method) => method.capabilities), config.capabilities]),
      stages: stages.map(({ name, phase }) => ({ name, phase })),
      handle: (request) =>
        Effect.suspend(() => {
          const call: Call = {
            request,
            requestId: makeRequestId(),
            principal: request.principal,
            tenantId: request.principal?.tenantId ?? DEFAULT_TENANT,
            startedAt: performance.now(),
            target: resolve(request)
          }
          return handler(call)
        })
    }
  })

/** Provides the pipeline with settings that need services to build (stages backed by tenants, the audit log, ...). */
export const layerWith = <E, R>(
  config: Effect.Effect<PipelineConfig, E, R>
): Layer.Layer<Pipeline, E, Catalog | Notifier | R> => Layer.effect(Pipeline, Effect.flatMap(config, make))

/** Provides the pipeline. */
export const layer = (config: PipelineConfig = defaultConfig): Layer.Layer<Pipeline, never, Catalog | Notifier> =>
  Layer.effect(Pipeline, make(config))
