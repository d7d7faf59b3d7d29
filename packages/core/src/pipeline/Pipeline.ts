import { Context, Effect, Layer } from "effect"
import { Catalog } from "../catalog/Catalog.ts"
import type { McpError } from "../errors/McpError.ts"
import { Notifier } from "../notify/Notifier.ts"
import { type CallState, DEFAULT_TENANT } from "../request/CurrentCall.ts"
import type { McpRequest, McpResult } from "../request/McpRequest.ts"
import { dispatch } from "./Dispatch.ts"
import * as Stage from "./Stage.ts"
import { errorMapping } from "./stages/ErrorMapping.ts"
import { logging } from "./stages/Logging.ts"
import { metrics } from "./stages/Metrics.ts"
import { requestContext } from "./stages/RequestContext.ts"
import { type TimeoutPolicy, timeout } from "./stages/Timeout.ts"
import { tracing } from "./stages/Tracing.ts"
import { validation } from "./stages/Validation.ts"

/**
 * Stages other packages contribute, each in its fixed slot of the order below: the audit log, tenancy (the tenant's
 * actor, kill switches), authorization, rate limits, quotas and the tenant's concurrency limit.
 */
export interface Guards {
  readonly audit?: Stage.Stage
  readonly tenancy?: Stage.Stage
  readonly authorization?: Stage.Stage
  readonly rateLimit?: Stage.Stage
  readonly quota?: Stage.Stage
  readonly concurrency?: Stage.Stage
}

/** Settings of the pipeline's own stages, and the guards installed in it. */
export interface PipelineConfig {
  readonly timeout: TimeoutPolicy
  readonly guards?: Guards
}

/** The defaults: 30 s per call, a tool may declare up to 5 minutes. */
export const defaultConfig: PipelineConfig = { timeout: { default: "30 seconds", max: "5 minutes" } }

/**
 * The order every request passes through, outermost first. This list is the one place that decides it.
 * Authentication happens at the transport edge, before a request exists. The audit stage sits outside error mapping
 * so that it records the final outcome, including refusals; the guards run before validation, so a principal learns
 * nothing about what it may not use.
 */
export const stages = (config: PipelineConfig, catalog: Catalog["Service"]): ReadonlyArray<Stage.Stage> => {
  const guards = config.guards ?? {}
  const all: ReadonlyArray<Stage.Stage | undefined> = [
    requestContext,
    tracing,
    logging,
    metrics,
    guards.audit,
    errorMapping,
    guards.tenancy,
    guards.authorization,
    guards.rateLimit,
    guards.quota,
    guards.concurrency,
    validation(catalog),
    timeout(config.timeout)
  ]
  return all.filter((stage): stage is Stage.Stage => stage !== undefined)
}

/** Serves MCP requests through the ordered stages to the catalog. */
export interface PipelineShape {
  readonly handle: (request: McpRequest) => Effect.Effect<McpResult, McpError>
  readonly catalog: Catalog["Service"]
}

/** The request pipeline every transport feeds. */
export class Pipeline extends Context.Service<Pipeline, PipelineShape>()("@bulwark/core/Pipeline") {}

/** Builds the pipeline once, over the catalog and notifier in context. */
export const make = (config: PipelineConfig = defaultConfig): Effect.Effect<PipelineShape, never, Catalog | Notifier> =>
  Effect.gen(function* () {
    const catalog = yield* Catalog
    const notifier = yield* Notifier
    const handler = Stage.chain(stages(config, catalog), dispatch(catalog, notifier))
    return {
      catalog,
      handle: (request) =>
        Effect.suspend(() => {
          const call: CallState = {
            request,
            requestId: crypto.randomUUID(),
            principal: request.principal,
            tenantId: request.principal?.tenantId ?? DEFAULT_TENANT,
            startedAt: performance.now(),
            traceId: undefined,
            spanId: undefined,
            target: undefined,
            label: undefined,
            input: undefined,
            timeoutMs: undefined,
            timeoutCapMs: undefined,
            access: undefined,
            rejectedBy: undefined
          }
          return handler(call)
        })
    }
  })

/** Provides the pipeline with settings that need services to build (guard stages backed by tenants, audit, ...). */
export const layerWith = <E, R>(
  config: Effect.Effect<PipelineConfig, E, R>
): Layer.Layer<Pipeline, E, Catalog | Notifier | R> => Layer.effect(Pipeline, Effect.flatMap(config, make))

/** Provides the pipeline. */
export const layer = (config: PipelineConfig = defaultConfig): Layer.Layer<Pipeline, never, Catalog | Notifier> =>
  Layer.effect(Pipeline, make(config))
