/**
 * Runs SQL through the plugin's databases as a tenant and says what happened, in the corpus's terms.
 */
import { Cause, Effect, Exit, type ManagedRuntime } from "effect"
import { PostgresDatabases, type QueryMode, type RanQuery } from "../../src/index.ts"

/** What became of one statement. */
export type Outcome =
  | { readonly _tag: "refused"; readonly layer: "parser" | "scope"; readonly message: string }
  | { readonly _tag: "failed"; readonly code: string | undefined; readonly message: string }
  | { readonly _tag: "ran"; readonly result: RanQuery }
  | { readonly _tag: "died"; readonly message: string }

/** The plugin's databases, built once for a test file. */
export type Databases = ManagedRuntime.ManagedRuntime<PostgresDatabases, unknown>

/** Runs `sql` as `tenant` on `shop` through a built `PostgresDatabases`. */
export const runAs = (
  databases: Databases,
  tenant: string,
  sql: string,
  params: ReadonlyArray<unknown> = [],
  mode: QueryMode = { _tag: "select" }
): Promise<Outcome> =>
  databases
    .runPromiseExit(Effect.flatMap(PostgresDatabases, (service) => service.query(tenant, "shop", sql, params, mode)))
    .then((exit): Outcome => {
      if (Exit.isSuccess(exit)) return { _tag: "ran", result: exit.value }
      const error = Cause.squash(exit.cause) as { readonly _tag?: string; readonly message?: string }
      if (error._tag === "QueryRefused") {
        const refused = error as { readonly layer: "parser" | "scope"; readonly message: string }
        return { _tag: "refused", layer: refused.layer, message: refused.message }
      }
      if (error._tag === "QueryFailed") {
        const failed = error as { readonly code?: string; readonly message: string }
        return { _tag: "failed", code: failed.code, message: failed.message }
      }
      return { _tag: "died", message: String(error.message ?? error) }
    })
