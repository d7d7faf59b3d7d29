/**
 * Input fields and output schemas the postgres tools share, and how a result is shown as text.
 */
import { Content } from "@bulwark/core"
import { Schema } from "effect"
import type { RanQuery } from "../PostgresDatabases.ts"

/** The database a tool reads. */
export const Database = Schema.String.annotate({ description: "The database, by name (see list_databases)" }).check(
  Schema.isBetweenLength(1, 63)
)

/** A table, as `schema.table` or by its name alone (resolved in the allowed schemas). */
export const Table = Schema.String.annotate({
  description: "The table, as schema.table or its name alone (see list_tables)"
}).check(Schema.isBetweenLength(1, 200))

/** SQL an agent writes. */
export const Sql = Schema.String.annotate({
  description:
    "One read-only SQL statement: SELECT, WITH ... SELECT or VALUES (PostgreSQL syntax). Use $1, $2, ... for values and pass them in params."
}).check(Schema.isBetweenLength(1, 100_000))

/** Bind parameters for `$1..$n`. */
export const Params = Schema.Array(Schema.Union([Schema.String, Schema.Finite, Schema.Boolean, Schema.Null])).annotate({
  description: "Values for $1, $2, ... in order"
})

/** A result column. */
export const Column = Schema.Struct({ name: Schema.String, type: Schema.String })

/** A query's result as structured content. */
export const QueryOutput = Schema.Struct({
  columns: Schema.Array(Column),
  rows: Schema.Array(Schema.Array(Schema.Json)),
  rowCount: Schema.Int,
  truncated: Schema.optionalKey(Schema.Struct({ by: Schema.Literals(["maxRows", "maxBytes"]), limit: Schema.Int })),
  tables: Schema.Array(Schema.String)
})
export type QueryOutput = typeof QueryOutput.Type

/** The structured form of a result. */
export const toOutput = (ran: RanQuery): QueryOutput => ({
  columns: ran.columns,
  rows: ran.rows as QueryOutput["rows"],
  rowCount: ran.rows.length,
  ...(ran.truncated === undefined ? {} : { truncated: ran.truncated }),
  tables: ran.tables
})

/** How many rows the text rendering shows (all of them are in the structured result). */
const shownRows = 50

const cell = (value: unknown): string => {
  if (value === null) return "NULL"
  const text = typeof value === "string" ? value : JSON.stringify(value)
  const flat = text.replace(/\s+/g, " ")
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat
}

/** A compact text table of a result, with a line saying how many rows there are and whether a cap cut them. */
export const renderResult = (output: QueryOutput): ReadonlyArray<Content.Content> => {
  const lines = [
    output.columns.map((column) => `${column.name} (${column.type})`).join(" | "),
    ...output.rows.slice(0, shownRows).map((row) => row.map(cell).join(" | "))
  ]
  const count =
    output.truncated === undefined
      ? `${output.rowCount} row${output.rowCount === 1 ? "" : "s"}`
      : `${output.rowCount} rows shown; the result was cut at ${output.truncated.by} = ${output.truncated.limit} (narrow the query or aggregate)`
  const more = output.rowCount > shownRows ? `; the first ${shownRows} above, all in structuredContent` : ""
  return [Content.text(`${lines.join("\n")}\n(${count}${more})`)]
}
