/**
 * A plugin on PostgreSQL in a few lines: tools that run SQL on the server's database for the calling tenant, the
 * tables they need, and the backend their calls run under, without service classes or layers of your own.
 *
 * `SqlPlugin.read(name, spec)` and `SqlPlugin.write(name, spec)` declare tools whose `run(input, { sql, tenantId })`
 * returns an Effect of the answer: the hints follow from the verb (a read is `readOnly` and `idempotent`, a write is
 * neither and not `destructive` unless it says so), every tool calls the plugin's one backend, and a failing
 * statement is never shown to the agent: a connection lost is "unavailable, retry", anything else an internal error
 * with a request id. `SqlPlugin.make({ name, version, migrations, tools })` is the installable (a module's default
 * export, for `plugins.<name>.module`): installing it applies the migrations (SQL texts, in order, each once,
 * safe with several instances starting together; append, never edit) and registers them for `/readyz`.
 *
 * It is the typed Effect API underneath (`Tool.make`, `Plugin.install`, `Backend.declare`): a tool that outgrows
 * `run` takes the rest of `ToolSpec` here as well (`output`, `errors`, `cache`, `invalidates`, `timeout`, ...).
 *
 * @since 0.1.0
 */
import {
  Backend,
  type Declared,
  type DomainErrorSchema,
  type InputRequired,
  type Installed,
  Plugin,
  Tool,
  type ToolContext,
  type ToolHints,
  type ToolOutput,
  type ToolSpec
} from "@bulwark/core"
import { Effect, Layer, type Schema } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import type { MigrationError } from "../Errors.ts"
import type { Migration } from "../Migration.ts"
import * as Migrations from "../Migrations.ts"

/** What `run` gets besides the input: the database, the calling tenant, and the call's context. */
export interface Run {
  /** The server's database (tagged templates: values are always bound parameters). */
  readonly sql: SqlClient
  /** The tenant the call is made for: scope every row by it. */
  readonly tenantId: string
  /** Progress, notifications, elicitation, ... (see `ToolContext`). */
  readonly context: ToolContext
}

/** A tool's spec, with `run` in place of `handler` and the backend filled in. */
export type SqlToolSpec<
  I extends Schema.Top,
  O extends Schema.Top | undefined,
  Errors extends ReadonlyArray<DomainErrorSchema>
> = Omit<ToolSpec<I, O, Errors, SqlClient>, "handler" | "backends" | "backendsOf"> & {
  readonly run: (
    input: I["Type"],
    run: Run
  ) => Effect.Effect<O extends Schema.Top ? O["Type"] : ToolOutput, Declared<Errors> | InputRequired | SqlError>
}

/** A tool of a SQL plugin: bound to the plugin's backend when the plugin is made. */
export interface SqlTool {
  readonly _tag: "SqlTool"
  readonly bind: (backend: string) => Tool.Tool<SqlClient>
}

const tool = <I extends Schema.Top, O extends Schema.Top | undefined, Errors extends ReadonlyArray<DomainErrorSchema>>(
  name: string,
  spec: SqlToolSpec<I, O, Errors>,
  hints: ToolHints
): SqlTool => ({
  _tag: "SqlTool",
  bind: (backend) => {
    const { run, ...rest } = spec
    return Tool.make<I, SqlClient, O, Errors>(name, {
      ...rest,
      hints: { ...hints, ...spec.hints },
      backends: [backend],
      handler: (input, context) =>
        Effect.flatMap(SqlClient, (sql) => run(input, { sql, tenantId: context.call.tenantId, context })).pipe(
          // A statement's failure is the backend's (unavailable, retried when transient) or a bug: never the agent's.
          Effect.catchTag("SqlError", (error) => Effect.die(error))
        ) as ReturnType<ToolSpec<I, O, Errors, SqlClient>["handler"]>
    })
  }
})

/** Declares tools whose hints are `hints` unless a tool's own say otherwise. */
const verb =
  (hints: ToolHints) =>
  <
    I extends Schema.Top,
    O extends Schema.Top | undefined = undefined,
    const Errors extends ReadonlyArray<DomainErrorSchema> = readonly []
  >(
    name: string,
    spec: SqlToolSpec<I, O, Errors>
  ): SqlTool =>
    tool(name, spec, hints)

/** A tool that only reads: `readOnly` and `idempotent` (retried after a lost connection; cacheable with `cache`). */
export const read = verb({ readOnly: true, idempotent: true })

/** A tool that writes: not read-only, not idempotent, not destructive unless its `hints` say so. */
export const write = verb({ readOnly: false, idempotent: false, destructive: false })

/** The migrations of `texts`, with ids `0001`, `0002`, ... in order: append new ones, never edit old ones. */
export const migrationsOf = (texts: ReadonlyArray<string | Migration>): ReadonlyArray<Migration> =>
  texts.map((text, index) =>
    typeof text === "string"
      ? {
          id: String(index + 1).padStart(4, "0"),
          name: text.trim().split("\n")[0]?.slice(0, 80) ?? "",
          up: text
        }
      : text
  )

/** A plugin on the server's PostgreSQL. */
export interface SqlPluginSpec {
  readonly name: string
  readonly version: string
  readonly description?: string
  /** The plugin's tables, as SQL texts (or `Migration`s) applied in order, each once. */
  readonly migrations?: ReadonlyArray<string | Migration>
  readonly tools: ReadonlyArray<SqlTool>
  /**
   * The policy calls run under (backend `<name>-db`). Default: 5 s per call, one retry of reads after a lost
   * connection, a breaker after 5 failures in a row, 8 calls at once (4 per tenant): keep it within the pool.
   */
  readonly backend?: Backend.BackendPolicy<SqlClient>
}

/** The default policy of a SQL plugin's backend (see `SqlPluginSpec.backend`). */
export const defaultPolicy: Backend.BackendPolicy<SqlClient> = {
  timeout: "5 seconds",
  retry: { retries: 1 },
  breaker: { consecutiveFailures: 5, openFor: "10 seconds" },
  bulkhead: { maxConcurrent: 8, perTenant: 4 },
  probe: { check: Effect.flatMap(SqlClient, (sql) => sql`SELECT 1`), every: "15 seconds" }
}

/**
 * The installable plugin: its tools on the server's `SqlClient`, its migrations applied (and registered for
 * readiness when the server has a `MigrationRegistry`) as it is installed.
 */
export const make = (spec: SqlPluginSpec): Installed<MigrationError, SqlClient> => {
  const backend = `${spec.name}-db`
  const migrations = migrationsOf(spec.migrations ?? [])
  const plugin = Plugin.make<SqlClient>({
    name: spec.name,
    version: spec.version,
    ...(spec.description === undefined ? {} : { description: spec.description }),
    tools: spec.tools.map((sqlTool) => sqlTool.bind(backend)),
    backends: [Backend.declare(backend, { ...defaultPolicy, ...spec.backend })]
  })
  const migrated = Layer.effect(
    SqlClient,
    Effect.gen(function* () {
      if (migrations.length > 0) yield* Migrations.apply(spec.name, migrations)
      return yield* SqlClient
    })
  )
  return Plugin.install(plugin, migrated)
}
