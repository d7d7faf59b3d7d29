/**
 * Tenancy's guards for the request pipeline's slots: `tenancy`, `authorization`, `rateLimit`, `quota`,
 * `concurrency` (core's `Pipeline.stages` fixes their order).
 *
 * @since 0.1.0
 */
import type { Catalog, Guards } from "@bulwark/core"
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

/** The guards tenancy fills in. */
export type TenancyGuards = Required<Pick<Guards, "tenancy" | "authorization" | "rateLimit" | "quota" | "concurrency">>

/** Settings of the guards. */
export interface GuardOptions extends AuthorizationGuard.AuthorizationOptions {}

/** Builds the five guards; pass them to `Pipeline.layer({ ..., guards })`. */
export const make = (
  options: GuardOptions = {}
): Effect.Effect<TenancyGuards, never, Tenants | Switches | Catalog.Catalog | RateLimiter.RateLimiter | Quotas> =>
  Effect.gen(function* () {
    return {
      tenancy: yield* TenancyGuard.make,
      authorization: yield* AuthorizationGuard.make(options),
      rateLimit: yield* RateLimitGuard.make,
      quota: yield* QuotaGuard.make,
      concurrency: ConcurrencyGuard.guard
    }
  })
