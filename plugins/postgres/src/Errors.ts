/**
 * The postgres plugin's errors an agent sees, each with a message it can act on: what was refused or what failed,
 * and why. Which defence refused a query is in `layer` (`parser`, `scope`), so that logs and tests can tell.
 */
import { Schema } from "effect"

/** The SQL was refused before it reached the database. */
export class QueryRefused extends Schema.TaggedError<QueryRefused>()("QueryRefused", {
  /** The defence that refused it: the parser's statement rules, or the tenant's allow-lists. */
  layer: Schema.Literals(["parser", "scope"]),
  message: Schema.String
}) {}

/** The database refused or failed the query (an unknown column, a permission, the statement timeout, ...). */
export class QueryFailed extends Schema.TaggedError<QueryFailed>()("QueryFailed", {
  /** PostgreSQL's SQLSTATE, when it gave one. */
  code: Schema.optionalKey(Schema.String),
  message: Schema.String
}) {}

/** No database of that name is configured for the caller's tenant (others' look exactly the same). */
export class UnknownDatabase extends Schema.TaggedError<UnknownDatabase>()("UnknownDatabase", {
  database: Schema.String,
  message: Schema.String
}) {
  static of(database: string, known: ReadonlyArray<string>): UnknownDatabase {
    return new UnknownDatabase({
      database,
      message: `There is no database "${database}". Databases you can use: ${known.length === 0 ? "none" : known.join(", ")} (see list_databases).`
    })
  }
}

/** The table does not exist for the caller or is not in its allow-list (both look the same). */
export class UnknownTable extends Schema.TaggedError<UnknownTable>()("UnknownTable", {
  table: Schema.String,
  message: Schema.String
}) {
  static of(table: string): UnknownTable {
    return new UnknownTable({
      table,
      message: `Table ${table} does not exist or is not in your allow-list. Use list_tables to see the tables you can read.`
    })
  }
}
