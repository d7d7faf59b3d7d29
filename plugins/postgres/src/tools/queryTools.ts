/**
 * The tools that run SQL: `query` (an agent's own `SELECT`, with bind parameters), `explain_query` (its plan, or
 * with `analyze` its plan as run) and `sample_rows` (the first rows of a table). Every statement goes through all
 * the defences (see `PostgresDatabases.ts`); a refusal says what and why.
 */
import { Tool, type ToolContext } from "@bulwark/core"
import { Effect, Schema } from "effect"
import { QueryFailed, QueryRefused, UnknownDatabase, UnknownTable } from "../Errors.ts"
import { PostgresDatabases } from "../PostgresDatabases.ts"
import { resolveTable } from "../target/Introspection.ts"
import { backendName, longBackendName } from "./databaseTools.ts"
import { Database, Params, QueryOutput, renderResult, Sql, Table, toOutput } from "./fields.ts"

const hints = { readOnly: true, destructive: false, idempotent: true, openWorld: false } as const

/** Runs an agent's query (`long`: as a task, under the long statement timeout) and answers its result. */
const runQuery =
  (long: boolean) =>
  ({ database, sql, params }: typeof QueryInput.Type, ctx: ToolContext) =>
    Effect.flatMap(PostgresDatabases, (databases) =>
      databases.query(ctx.call.tenantId, database, sql, params ?? [], { _tag: "select", long })
    ).pipe(Effect.map(toOutput))

/** What `query` and `run_long_query` take, and the errors they declare. */
const QueryInput = Schema.Struct({ database: Database, sql: Sql, params: Schema.optionalKey(Params) })
const queryErrors = [UnknownDatabase, QueryRefused, QueryFailed] as const

const quoted = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`

/** The tools, naming the backends of the configured databases. */
export const queryTools = (databases: ReadonlyArray<string>) => {
  const backends = databases.map(backendName)
  const backendsOf = ({ database }: { readonly database: string }) => [backendName(database)]

  const query = Tool.make("query", {
    title: "Run a read-only SQL query",
    description:
      "Runs one read-only SQL query (SELECT, WITH ... SELECT, VALUES; window functions, CTEs, JSON operators are fine) " +
      "and returns the columns with their types and the rows. Large results are cut at a row and byte limit, which " +
      "the result states: aggregate or add LIMIT. Writes, settings, transaction control and functions with side " +
      "effects are refused with the reason.",
    input: QueryInput,
    output: QueryOutput,
    errors: queryErrors,
    backends,
    backendsOf,
    hints,
    handler: runQuery(false),
    content: renderResult
  })

  const explainQuery = Tool.make("explain_query", {
    title: "Explain a SQL query",
    description:
      "Shows PostgreSQL's plan for a read-only query (the same rules as query) without running it; with analyze: " +
      "true it runs the query (read-only, under the statement timeout) and shows actual times and rows.",
    input: Schema.Struct({
      database: Database,
      sql: Sql,
      params: Schema.optionalKey(Params),
      analyze: Schema.optionalKey(Schema.Boolean.annotate({ description: "Run the query and show actual figures" }))
    }),
    output: Schema.Struct({ plan: Schema.Json }),
    errors: [UnknownDatabase, QueryRefused, QueryFailed],
    backends,
    backendsOf,
    hints,
    handler: ({ database, sql, params, analyze }, ctx) =>
      Effect.flatMap(PostgresDatabases, (databases) =>
        databases.query(ctx.call.tenantId, database, sql, params ?? [], { _tag: "explain", analyze: analyze === true })
      ).pipe(Effect.map((ran) => ({ plan: (ran.rows[0]?.[0] ?? null) as Schema.Json }))),
    content: ({ plan }) => [{ type: "text", text: JSON.stringify(plan) }]
  })

  const sampleRows = Tool.make("sample_rows", {
    title: "Sample rows of a table",
    description: "The first rows of a table (at most 50), to see what its data looks like.",
    input: Schema.Struct({
      database: Database,
      table: Table,
      limit: Schema.optionalKey(
        Schema.Int.annotate({ description: "How many rows (1-50, default 10)" }).check(
          Schema.isBetween({ minimum: 1, maximum: 50 })
        )
      )
    }),
    output: QueryOutput,
    errors: [UnknownDatabase, UnknownTable, QueryRefused, QueryFailed],
    backends,
    backendsOf,
    hints,
    handler: ({ database, table, limit }, ctx) =>
      Effect.flatMap(PostgresDatabases, (databases) =>
        Effect.flatMap(databases.open(ctx.call.tenantId, database), (open) =>
          Effect.flatMap(resolveTable(open, table), ({ schema, name }) =>
            databases.query(
              ctx.call.tenantId,
              database,
              `SELECT * FROM ${quoted(schema)}.${quoted(name)} LIMIT ${limit ?? 10}`,
              [],
              { _tag: "select" }
            )
          )
        )
      ).pipe(Effect.map(toOutput)),
    content: renderResult
  })

  const runLongQuery = Tool.make("run_long_query", {
    title: "Run a long read-only SQL query in the background",
    description:
      "Runs one read-only SQL query (the same rules as query) that may take minutes, up to the database's long " +
      "statement timeout, as a task: poll it for the result (tasks/get; 2025 clients get a job id for job_status " +
      "and job_result), or cancel it. Use query for anything that finishes in seconds.",
    input: QueryInput,
    output: QueryOutput,
    errors: queryErrors,
    backends: databases.map(longBackendName),
    backendsOf: ({ database }) => [longBackendName(database)],
    hints,
    task: { mode: "required", keep: "1 day", maxAttempts: 1 },
    handler: runQuery(true),
    content: renderResult
  })

  return [query, explainQuery, sampleRows, runLongQuery]
}
