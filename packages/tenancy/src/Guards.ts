/**
 * Tenancy's stages for the request pipeline: `tenancy` and `authorization` admit a request, `rate-limit`, `quota`
 * and `concurrency` limit it, in that order within their phases. Pass them to the pipeline with the other stages:
 * `Pipeline.layer({ ...Pipeline.defaultConfig, stages: yield* Guards.make })`.
 *
 * @since 0.1.0
 */
import type { Catalog, Stage } from "@bulwark/core"
import { Effect } from "effect"
import type { RateLimiter } from "effect/persistence"
import * as AuthorizationGuard from "./guards/AuthorizationGuard.ts"
import * as ConcurrencyGuard from "./guards/ConcurrencyGuard.ts"
import * as QuotaGuard from "./guards/QuotaGuard.ts"
import * as RateLimitGuard from "./guards/RateLimitGuard.ts"
import * as TenancyGuard from "./guards/TenancyGuard.ts"
import type { Quotas } from "./Quotas.ts"
import type { Switches } from "./Switches.ts"
import type { Tenants } from "./Tenants.ts"

/** Builds the five guards. */
export const make: Effect.Effect<
  ReadonlyArray<Stage.Stage>,
  never,
  Tenants | Switches | Catalog.Catalog | RateLimiter.RateLimiter | Quotas
> = Effect.all([
  TenancyGuard.make,
  AuthorizationGuard.make,
  RateLimitGuard.make,
  QuotaGuard.make,
  Effect.succeed(ConcurrencyGuard.guard)
])
