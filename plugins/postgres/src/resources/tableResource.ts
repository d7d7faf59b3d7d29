/**
 * `postgres://{database}/{schema}/{table}`: a table's description (columns, keys, indexes, estimated rows) as JSON,
 * for the tables the caller's tenant may read, with completion of database, schema and table names.
 */
import { Resource, ResourceNotFound, type ToolContext } from "@bulwark/core"
import { Effect } from "effect"
import { PostgresDatabases } from "../PostgresDatabases.ts"
import { describeTable, listTables } from "../target/Introspection.ts"
import { backendName } from "../tools/databaseTools.ts"

/** How many names a completion offers at most. */
const maxSuggestions = 100

const startingWith = (names: Iterable<string>, value: string) =>
  [...new Set(names)].filter((name) => name.startsWith(value)).slice(0, maxSuggestions)

/** Every table the tenant may read, over its databases (for completion). */
const allTables = (ctx: ToolContext) =>
  Effect.flatMap(PostgresDatabases, (databases) =>
    Effect.forEach(databases.visible(ctx.call.tenantId), (database) =>
      databases.open(ctx.call.tenantId, database.name).pipe(
        Effect.flatMap((open) => listTables(open)),
        Effect.orElseSucceed(() => [])
      )
    )
  ).pipe(Effect.map((lists) => lists.flat()))

/** The resource template, naming the backends of the configured databases. */
export const tableResource = (databases: ReadonlyArray<string>) =>
  Resource.template("postgres://{database}/{schema}/{table}", {
    name: "postgres-table",
    title: "PostgreSQL table",
    description: "A table's columns, keys, indexes and estimated rows, as JSON (what describe_table answers).",
    mimeType: "application/json",
    errors: [ResourceNotFound],
    backends: databases.map(backendName),
    read: ({ database, schema, table }, ctx) => {
      const uri = `postgres://${database}/${schema}/${table}`
      return Effect.flatMap(PostgresDatabases, (databases) => databases.open(ctx.call.tenantId, database ?? "")).pipe(
        Effect.flatMap((open) => describeTable(open, `${schema}.${table}`)),
        Effect.map((description) => ({ text: JSON.stringify(description), mimeType: "application/json" })),
        Effect.catch(() =>
          Effect.fail(
            new ResourceNotFound({
              uri,
              message: `${uri} is not a table you can read. See list_tables, or complete the URI's names.`
            })
          )
        )
      )
    },
    complete: {
      database: (value, ctx) =>
        Effect.map(PostgresDatabases, (databases) =>
          startingWith(
            databases.visible(ctx.call.tenantId).map((database) => database.name),
            value
          )
        ),
      schema: (value, ctx) =>
        Effect.map(allTables(ctx), (tables) =>
          startingWith(
            tables.map((table) => table.schema),
            value
          )
        ),
      table: (value, ctx) =>
        Effect.map(allTables(ctx), (tables) =>
          startingWith(
            tables.map((table) => table.name),
            value
          )
        )
    }
  })
