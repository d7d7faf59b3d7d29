/**
 * The tools that show what there is to read: `list_databases`, `list_schemas`, `list_tables`, `describe_table`.
 * Each shows only what the caller's tenant may read.
 */
import { Tool } from "@bulwark/core"
import { Effect, Schema } from "effect"
import { QueryFailed, UnknownDatabase, UnknownTable } from "../Errors.ts"
import { PostgresDatabases } from "../PostgresDatabases.ts"
import { describeTable as describe, listTables as list } from "../target/Introspection.ts"
import { Database, Table } from "./fields.ts"

const hints = { readOnly: true, destructive: false, idempotent: true, openWorld: false } as const

/** The backend of a configured database, as its tools name it. */
export const backendName = (database: string) => `postgres:${database}`

/** The backend of a configured database's long queries (run as tasks): a timeout and a share of the pool of its own. */
export const longBackendName = (database: string) => `postgres:${database}:long`

const TableInfo = Schema.Struct({
  schema: Schema.String,
  name: Schema.String,
  kind: Schema.String,
  rowEstimate: Schema.Finite,
  comment: Schema.NullOr(Schema.String)
})

/** The tools, naming the backends of the configured databases. */
export const databaseTools = (databases: ReadonlyArray<string>) => {
  const backends = databases.map(backendName)
  const backendsOf = ({ database }: { readonly database: string }) => [backendName(database)]

  const listDatabases = Tool.make("list_databases", {
    title: "List databases",
    description: "The PostgreSQL databases you can query, with what each holds. Start here.",
    input: Schema.Struct({}),
    output: Schema.Struct({
      databases: Schema.Array(Schema.Struct({ name: Schema.String, description: Schema.String }))
    }),
    hints,
    handler: (_, ctx) =>
      Effect.map(PostgresDatabases, (databases) => ({
        databases: databases
          .visible(ctx.call.tenantId)
          .map((database) => ({ name: database.name, description: database.description }))
      }))
  })

  const listSchemas = Tool.make("list_schemas", {
    title: "List schemas",
    description: "The schemas of a database you can read, with how many tables each has.",
    input: Schema.Struct({ database: Database }),
    output: Schema.Struct({ schemas: Schema.Array(Schema.Struct({ name: Schema.String, tables: Schema.Int })) }),
    errors: [UnknownDatabase, QueryFailed],
    backends,
    backendsOf,
    hints,
    handler: ({ database }, ctx) =>
      Effect.flatMap(PostgresDatabases, (databases) => databases.open(ctx.call.tenantId, database)).pipe(
        Effect.flatMap((open) =>
          Effect.map(list(open), (tables) => ({
            schemas: open.allow.schemas.map((name) => ({
              name,
              tables: tables.filter((table) => table.schema === name).length
            }))
          }))
        )
      )
  })

  const listTables = Tool.make("list_tables", {
    title: "List tables",
    description:
      "The tables and views of a database you can read (optionally of one schema): kind, estimated rows, comment.",
    input: Schema.Struct({
      database: Database,
      schema: Schema.optionalKey(Schema.String.annotate({ description: "Only this schema" }))
    }),
    output: Schema.Struct({ tables: Schema.Array(TableInfo) }),
    errors: [UnknownDatabase, QueryFailed],
    backends,
    backendsOf,
    hints,
    handler: ({ database, schema }, ctx) =>
      Effect.flatMap(PostgresDatabases, (databases) => databases.open(ctx.call.tenantId, database)).pipe(
        Effect.flatMap((open) => list(open, schema)),
        Effect.map((tables) => ({ tables }))
      )
  })

  const describeTable = Tool.make("describe_table", {
    title: "Describe table",
    description:
      "A table's columns (type, nullable, default, comment), keys and other constraints, indexes, estimated rows and comment.",
    input: Schema.Struct({ database: Database, table: Table }),
    output: Schema.Struct({
      ...TableInfo.fields,
      columns: Schema.Array(
        Schema.Struct({
          name: Schema.String,
          type: Schema.String,
          nullable: Schema.Boolean,
          default: Schema.NullOr(Schema.String),
          comment: Schema.NullOr(Schema.String)
        })
      ),
      constraints: Schema.Array(Schema.Struct({ name: Schema.String, definition: Schema.String })),
      indexes: Schema.Array(Schema.Struct({ name: Schema.String, definition: Schema.String }))
    }),
    errors: [UnknownDatabase, UnknownTable, QueryFailed],
    backends,
    backendsOf,
    hints,
    handler: ({ database, table }, ctx) =>
      Effect.flatMap(PostgresDatabases, (databases) => databases.open(ctx.call.tenantId, database)).pipe(
        Effect.flatMap((open) => describe(open, table))
      )
  })

  return [listDatabases, listSchemas, listTables, describeTable]
}
