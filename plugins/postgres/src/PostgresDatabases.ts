/**
 * The databases of the plugin as its tools use them: which ones a tenant sees and what of each (its allow-list),
 * and a query's way through the defences: PostgreSQL's parser and the statement rules (`SqlGuard`), the tenant's
 * allow-list, then the database's read-only transaction, timeouts, `search_path`, row-level security setting and
 * caps (`TargetDatabase`), under a role checked at start-up. The tenant always comes from authentication, never
 * from a tool's arguments.
 */
import { Context, Duration, Effect, Layer, Result } from "effect"
import * as Reactivity from "effect/reactivity/Reactivity"
import type { PostgresConfig, TargetDatabaseConfig } from "./config/PostgresConfig.ts"
import { QueryRefused, UnknownDatabase } from "./Errors.ts"
import type { AllowList } from "./guard/AllowList.ts"
import { checkQuery } from "./guard/SqlGuard.ts"
import { isOnly, type SqlParser, sqlParser } from "./guard/SqlParser.ts"
import * as TargetDatabase from "./target/TargetDatabase.ts"
import type { TargetUnreachable, UnsafeRole } from "./target/UnsafeRole.ts"

/** The defences that can be switched off one at a time, only to show that each of the others holds on its own. */
export interface Defences {
  readonly parser: boolean
  readonly readOnly: boolean
  readonly roleCheck: boolean
}

/** Every defence on: how the plugin always runs. */
export const allDefences: Defences = { parser: true, readOnly: true, roleCheck: true }

/** A database as one tenant sees it. */
export interface OpenDatabase {
  readonly target: TargetDatabase.TargetDatabase
  readonly allow: AllowList
  readonly run: TargetDatabase.RunContext
}

/**
 * How a query is run: as a `SELECT` read through a cursor (`long`: under the database's long statement timeout, for
 * a query run as a task), or as an `EXPLAIN` of it (optionally `ANALYZE`).
 */
export type QueryMode =
  | { readonly _tag: "select"; readonly long?: boolean }
  | { readonly _tag: "explain"; readonly analyze: boolean }

/** A query's result, with the tables it read. */
export interface RanQuery extends TargetDatabase.QueryResult {
  readonly tables: ReadonlyArray<string>
}

export interface PostgresDatabasesShape {
  /** The databases `tenantId` may use, with their descriptions. */
  readonly visible: (tenantId: string) => ReadonlyArray<TargetDatabaseConfig>
  /** A database as `tenantId` sees it; unknown (the same refusal) when it may not use it. */
  readonly open: (tenantId: string, database: string) => Effect.Effect<OpenDatabase, UnknownDatabase>
  /** Runs an agent's SQL through every defence. */
  readonly query: (
    tenantId: string,
    database: string,
    sql: string,
    params: ReadonlyArray<unknown>,
    mode: QueryMode
  ) => Effect.Effect<RanQuery, QueryRefused | TargetDatabase.QueryErrors | UnknownDatabase>
}

/** The plugin's databases, as a service. */
export class PostgresDatabases extends Context.Service<PostgresDatabases, PostgresDatabasesShape>()(
  "@bulwark/plugin-postgres/PostgresDatabases"
) {}

/** What `tenantId` may see of `config`: narrower than the database's lists where the tenant has its own, never wider. */
export const allowListOf = (config: TargetDatabaseConfig, tenantId: string): AllowList | undefined => {
  if (config.tenants !== undefined && !Object.hasOwn(config.tenants, tenantId)) return undefined
  const own = config.tenants?.[tenantId]
  const schemas = (own?.schemas ?? config.schemas).filter((schema) => config.schemas.includes(schema))
  const lists = [config.tables, own?.tables].filter((list) => list !== undefined)
  const tables =
    lists.length === 0 ? undefined : new Set(lists.reduce((kept, list) => kept.filter((table) => list.includes(table))))
  return { schemas, tables }
}

/** The text of the one statement parsed (without what surrounds it: a trailing `;`, whitespace). */
const statementText = (sql: string, statement: { readonly stmt_location?: number; readonly stmt_len?: number }) => {
  const start = statement.stmt_location ?? 0
  return statement.stmt_len === undefined || statement.stmt_len === 0
    ? sql.slice(start)
    : sql.slice(start, start + statement.stmt_len)
}

const make = (config: PostgresConfig, defences: Defences) =>
  Effect.gen(function* () {
    // The WebAssembly parser loads only for a plugin that has databases to serve (the bundled server installs the
    // plugin with none by default).
    const parse: SqlParser =
      config.databases.length === 0 ? () => Result.fail("no database is configured") : yield* sqlParser
    const targets = new Map<string, TargetDatabase.TargetDatabase>()
    for (const database of config.databases) {
      targets.set(
        database.name,
        yield* TargetDatabase.make(database, { readOnly: defences.readOnly, roleCheck: defences.roleCheck })
      )
    }

    const visible = (tenantId: string) =>
      config.databases.filter((database) => allowListOf(database, tenantId) !== undefined)

    const open = (tenantId: string, database: string): Effect.Effect<OpenDatabase, UnknownDatabase> => {
      const target = targets.get(database)
      const allow = target === undefined ? undefined : allowListOf(target.config, tenantId)
      if (target === undefined || allow === undefined) {
        return Effect.fail(
          UnknownDatabase.of(
            database,
            visible(tenantId).map((known) => known.name)
          )
        )
      }
      return Effect.succeed({ target, allow, run: { schemas: allow.schemas, tenantId } })
    }

    const refused = (message: string): Effect.Effect<never, QueryRefused> =>
      Effect.fail(new QueryRefused({ layer: "parser", message }))

    const query = (tenantId: string, database: string, sql: string, params: ReadonlyArray<unknown>, mode: QueryMode) =>
      Effect.flatMap(
        open(tenantId, database),
        (opened): Effect.Effect<RanQuery, QueryRefused | TargetDatabase.QueryErrors> => {
          const { target, allow } = opened
          const run =
            mode._tag === "select" && mode.long === true
              ? { ...opened.run, timeoutMs: Duration.toMillis(target.config.longStatementTimeout) }
              : opened.run
          /** The result of running `text`, with the tables the guard found it reads. */
          const ran = (
            result: Effect.Effect<TargetDatabase.QueryResult, TargetDatabase.QueryErrors>,
            tables: ReadonlyArray<string>
          ) => Effect.map(result, (answer): RanQuery => ({ ...answer, tables }))
          if (!defences.parser) {
            return mode._tag === "explain"
              ? ran(target.statement(TargetDatabase.explainOf(sql, false), params, run), [])
              : ran(target.select(sql, params, run), [])
          }
          const parsed = parse(sql)
          if (Result.isFailure(parsed)) return refused(`the SQL does not parse: ${parsed.failure}`)
          return Effect.flatMap(
            target.relations(allow.schemas),
            (known): Effect.Effect<RanQuery, QueryRefused | TargetDatabase.QueryErrors> => {
              const checked = checkQuery(parsed.success, allow, known, { explain: mode._tag === "select" })
              if (Result.isFailure(checked)) return Effect.fail(checked.failure)
              const text = statementText(sql, parsed.success[0] as never)
              const tables = checked.success.tables
              if (mode._tag === "explain") {
                const explain = TargetDatabase.explainOf(text, mode.analyze)
                if (!isOnly(parse, explain, "ExplainStmt")) return refused("the query cannot be explained")
                return ran(target.statement(explain, params, run), tables)
              }
              if (checked.success.explain) return ran(target.statement(text, params, run), tables)
              if (!isOnly(parse, TargetDatabase.cursorFor(text), "DeclareCursorStmt")) {
                return refused("the query cannot be read through a cursor")
              }
              return ran(target.select(text, params, run), tables)
            }
          )
        }
      )

    return PostgresDatabases.of({ visible, open, query })
  })

/** The plugin's databases from its configuration: each connected and its role checked before anything is served. */
export const layer = (
  config: PostgresConfig,
  defences: Defences = allDefences
): Layer.Layer<PostgresDatabases, UnsafeRole | TargetUnreachable> =>
  Layer.effect(PostgresDatabases, make(config, defences)).pipe(Layer.provide(Reactivity.layer))
