/**
 * One database agents read, as the plugin reaches it: a pool of its own (never Bulwark's), the role checked before
 * the first query, and every statement run inside a transaction the plugin opens and always rolls back, with the
 * database-side defences set in it:
 *
 * - `READ ONLY` (PostgreSQL refuses any write, whatever the SQL), `REPEATABLE READ` (one snapshot per query);
 * - `statement_timeout`, `lock_timeout` and `idle_in_transaction_session_timeout`;
 * - a `search_path` of the tenant's schemas only (the system catalog first, as PostgreSQL always puts it);
 * - the tenant's id in the row-level security setting, when the database has one (`SET LOCAL`, so it ends with the
 *   transaction and never leaks to the next query on the connection).
 *
 * Results are read from a cursor in batches and cut at the row and byte caps: a huge result is never held whole.
 */
import { PgClient } from "@effect/sql-pg"
import { Duration, Effect, type Scope } from "effect"
import type * as Reactivity from "effect/reactivity/Reactivity"
import type { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import type { TargetDatabaseConfig } from "../config/PostgresConfig.ts"
import { QueryFailed } from "../Errors.ts"
import type { KnownRelations } from "../guard/AllowList.ts"
import { roleProblems } from "./roleCheck.ts"
import { TargetUnreachable, UnsafeRole } from "./UnsafeRole.ts"
import { toJson } from "./values.ts"

/** A column of a result: its name and its type as PostgreSQL writes it. */
export interface Column {
  readonly name: string
  readonly type: string
}

/** A result: its columns, its rows (arrays, in column order), and whether a cap cut it. */
export interface QueryResult {
  readonly columns: ReadonlyArray<Column>
  readonly rows: ReadonlyArray<ReadonlyArray<unknown>>
  /** Set when the result was cut: which cap, and how many rows it kept. */
  readonly truncated?: { readonly by: "maxRows" | "maxBytes"; readonly limit: number }
}

/** What one statement runs with: the tenant's schemas and id, and its statement timeout when not the database's. */
export interface RunContext {
  readonly schemas: ReadonlyArray<string>
  readonly tenantId: string
  readonly timeoutMs?: number
}

/** Which database-side defences are on (all of them, except in the tests that show each layer on its own). */
export interface DatabaseDefences {
  readonly readOnly: boolean
}

/** How many rows one `FETCH` reads. */
const BATCH = 200

/** A result carried out of a transaction that is then rolled back. */
class Finished<A> {
  readonly value: A
  constructor(value: A) {
    this.value = value
  }
}

/** PostgreSQL's SQLSTATE and message of a failed statement. */
const pgError = (error: SqlError): { readonly code?: string; readonly message: string } => {
  const cause = (error.reason as { readonly cause?: { readonly code?: unknown; readonly message?: unknown } }).cause
  const message = typeof cause?.message === "string" ? cause.message : error.message
  return typeof cause?.code === "string" ? { code: cause.code, message } : { message }
}

/** Whether a failed statement is the query's own fault (answered to the agent), not the database being unavailable. */
const isQueryError = (code: string | undefined): code is string =>
  code !== undefined && !code.startsWith("08") && !code.startsWith("57P") && code !== "40001" && code !== "40P01"

const explainTimeout = (code: string, message: string, timeoutMs: number): string =>
  code === "57014" ? `the query ran longer than the statement timeout (${timeoutMs} ms) and was cancelled` : message

/** What a statement can fail with that the agent is told: the database refused or failed it. */
export type QueryErrors = QueryFailed

/** A configured database, connected and checked. */
export interface TargetDatabase {
  readonly config: TargetDatabaseConfig
  /** The relations of the allowed schemas, and the catalog's names (cached for a few seconds). */
  readonly relations: (schemas: ReadonlyArray<string>) => Effect.Effect<KnownRelations, QueryFailed>
  /** Runs a checked `SELECT` through a cursor, capped. */
  readonly select: (
    sql: string,
    params: ReadonlyArray<unknown>,
    context: RunContext
  ) => Effect.Effect<QueryResult, QueryFailed>
  /** Runs a statement that returns few rows (EXPLAIN, the catalog's own queries), capped all the same. */
  readonly statement: (
    sql: string,
    params: ReadonlyArray<unknown>,
    context: RunContext
  ) => Effect.Effect<QueryResult, QueryFailed>
}

/** Connects to `config`'s database and checks its role; fails with `UnsafeRole` when the role could change anything. */
export const make = (
  config: TargetDatabaseConfig,
  defences: DatabaseDefences & { readonly roleCheck: boolean } = { readOnly: true, roleCheck: true }
): Effect.Effect<TargetDatabase, UnsafeRole | TargetUnreachable, Scope.Scope | Reactivity.Reactivity> =>
  Effect.gen(function* () {
    const unreachable = (error: { readonly message: string }) =>
      new TargetUnreachable({ database: config.name, reason: error.message })
    const sql: SqlClient = yield* PgClient.make({
      url: config.url,
      maxConnections: config.poolSize,
      // Agents' queries are rarely repeated, and a cached description of `FETCH ... FROM bulwark_result` would
      // describe the previous query's cursor: every statement is parsed and described afresh.
      prepare: false,
      applicationName: `bulwark-postgres-${config.name}`
    }).pipe(Effect.mapError(unreachable))
    if (defences.roleCheck) {
      const { role, problems } = yield* roleProblems(sql, config.tenantSetting !== undefined).pipe(
        Effect.mapError(unreachable)
      )
      if (problems.length > 0) return yield* Effect.fail(new UnsafeRole({ database: config.name, role, problems }))
    }
    const timeoutMs = Duration.toMillis(config.statementTimeout)
    const typeNames = new Map<number, string>()

    const failed = (error: SqlError, timeout = timeoutMs): Effect.Effect<never, QueryFailed> => {
      const { code, message } = pgError(error)
      return isQueryError(code)
        ? Effect.fail(new QueryFailed({ code, message: explainTimeout(code, message, timeout) }))
        : Effect.die(error)
    }

    /** Runs `body` in a read-only transaction with the run's settings, then rolls it back. */
    const inTransaction = <A>(context: RunContext, body: Effect.Effect<A, SqlError>): Effect.Effect<A, QueryFailed> => {
      const timeout = context.timeoutMs ?? timeoutMs
      const settings = [
        ["statement_timeout", `${timeout}ms`],
        ["lock_timeout", `${Math.min(timeout, 1000)}ms`],
        ["idle_in_transaction_session_timeout", `${timeout * 2}ms`],
        ["search_path", context.schemas.map((schema) => `"${schema.replaceAll('"', '""')}"`).join(", ") || "''"],
        ...(config.tenantSetting === undefined ? [] : [[config.tenantSetting, context.tenantId]])
      ]
      const setup = sql.unsafe(
        `SELECT ${settings.map((_, index) => `set_config($${2 * index + 1}, $${2 * index + 2}, true)`).join(", ")}`,
        settings.flat()
      )
      const begin: Effect.Effect<unknown, SqlError> = defences.readOnly
        ? sql.unsafe("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        : Effect.void
      return sql
        .withTransaction(
          begin.pipe(
            Effect.andThen(setup),
            Effect.andThen(body),
            Effect.flatMap((value) => Effect.fail(new Finished(value)))
          )
        )
        .pipe(
          Effect.catch(
            (error): Effect.Effect<A, QueryFailed> =>
              error instanceof Finished ? Effect.succeed(error.value as A) : failed(error as SqlError, timeout)
          )
        )
    }

    /** The names of the types of `oids` (looked up once per type). */
    const namesOf = (oids: ReadonlyArray<number>) => {
      const missing = [...new Set(oids.filter((oid) => !typeNames.has(oid)))]
      if (missing.length === 0) return Effect.void
      return Effect.map(
        sql.unsafe<{ readonly oid: number; readonly name: string }>(
          "SELECT oid::int AS oid, format_type(oid, NULL) AS name FROM pg_type WHERE oid = ANY($1::int[])",
          [missing]
        ),
        (rows) => {
          for (const row of rows) typeNames.set(row.oid, row.name)
        }
      )
    }

    const columnsOf = (fields: ReadonlyArray<{ readonly name: string; readonly dataTypeId: number }>) =>
      Effect.map(namesOf(fields.map((field) => field.dataTypeId)), () =>
        fields.map((field) => ({ name: field.name, type: typeNames.get(field.dataTypeId) ?? "unknown" }))
      )

    /**
     * The caps of one result: rows are added until one more would pass `maxRows` or `maxBytes`; then the result says
     * which cap cut it.
     */
    const capped = () => {
      const rows: Array<ReadonlyArray<unknown>> = []
      let bytes = 0
      let truncated: QueryResult["truncated"]
      return {
        /** Adds a row as JSON; false once a cap is reached (the row is not kept). */
        add: (raw: ReadonlyArray<unknown>): boolean => {
          const row = raw.map(toJson)
          const size = Buffer.byteLength(JSON.stringify(row))
          if (bytes + size > config.maxBytes) truncated = { by: "maxBytes", limit: config.maxBytes }
          else if (rows.length === config.maxRows) truncated = { by: "maxRows", limit: config.maxRows }
          if (truncated !== undefined) return false
          bytes += size
          rows.push(row)
          return true
        },
        result: (columns: ReadonlyArray<Column>): QueryResult =>
          truncated === undefined ? { columns, rows } : { columns, rows, truncated }
      }
    }

    const select = (text: string, params: ReadonlyArray<unknown>, context: RunContext) =>
      inTransaction(
        context,
        Effect.gen(function* () {
          yield* sql.unsafe(cursorFor(text), params)
          const described = yield* sql.unsafe("FETCH FORWARD 0 FROM bulwark_result").raw
          const fields = (described as { readonly fields: ReadonlyArray<{ name: string; dataTypeId: number }> }).fields
          const columns = yield* columnsOf(fields)
          const result = capped()
          const fetch = sql.unsafe(`FETCH FORWARD ${BATCH} FROM bulwark_result`).values
          while (true) {
            const batch = yield* fetch
            if (!batch.every(result.add) || batch.length < BATCH) return result.result(columns)
          }
        })
      )

    const statement = (text: string, params: ReadonlyArray<unknown>, context: RunContext) =>
      inTransaction(
        context,
        Effect.gen(function* () {
          const raw = (yield* sql.unsafe(text, params).raw) as {
            readonly fields: ReadonlyArray<{ name: string; dataTypeId: number }>
            readonly rows: ReadonlyArray<Readonly<Record<string, unknown>>>
          }
          const columns = yield* columnsOf(raw.fields)
          const result = capped()
          raw.rows.every((row) => result.add(raw.fields.map((field) => row[field.name])))
          return result.result(columns)
        })
      )

    let cached: { readonly key: string; readonly at: number; readonly relations: KnownRelations } | undefined
    const relations = (schemas: ReadonlyArray<string>) =>
      Effect.suspend(() => {
        const key = schemas.join("\u0000")
        if (cached !== undefined && cached.key === key && Date.now() - cached.at < 5000) {
          return Effect.succeed(cached.relations)
        }
        return sql
          .unsafe<{ readonly schema: string; readonly name: string }>(
            `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND (n.nspname = ANY($1) OR n.nspname = 'pg_catalog')`,
            [schemas]
          )
          .pipe(
            Effect.map((rows) => {
              const bySchema = new Map<string, Set<string>>()
              const catalog = new Set<string>()
              for (const row of rows) {
                if (row.schema === "pg_catalog") catalog.add(row.name)
                if (schemas.includes(row.schema)) {
                  const names = bySchema.get(row.schema) ?? new Set()
                  names.add(row.name)
                  bySchema.set(row.schema, names)
                }
              }
              const known: KnownRelations = { bySchema, catalog }
              cached = { key, at: Date.now(), relations: known }
              return known
            }),
            Effect.catch((error) => failed(error))
          )
      })

    return { config, relations, select, statement }
  })

/** The cursor an accepted query is read through (one query: PostgreSQL's `DECLARE` takes no other statement). */
export const cursorFor = (query: string): string => `DECLARE bulwark_result NO SCROLL CURSOR FOR ${query}`

/** The `EXPLAIN` of an accepted query, as JSON. */
export const explainOf = (query: string, analyze: boolean): string =>
  `EXPLAIN (FORMAT JSON${analyze ? ", ANALYZE" : ""}) ${query}`
