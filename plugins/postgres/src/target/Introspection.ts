/**
 * What a tenant may know of a database's structure: its schemas, tables (with kind, row estimate and comment) and
 * one table's columns, keys and indexes, read from the system catalog by the plugin's own queries (in the same
 * read-only transaction as agents' queries) and limited to the tenant's allow-list.
 */
import { Effect } from "effect"
import { UnknownTable } from "../Errors.ts"
import { allows, resolveUnqualified } from "../guard/AllowList.ts"
import type { OpenDatabase } from "../PostgresDatabases.ts"

/** A table or view a tenant may read. */
export interface TableInfo {
  readonly schema: string
  readonly name: string
  readonly kind: string
  readonly rowEstimate: number
  readonly comment: string | null
}

/** A table's full description. */
export interface TableDescription extends TableInfo {
  readonly columns: ReadonlyArray<{
    readonly name: string
    readonly type: string
    readonly nullable: boolean
    readonly default: string | null
    readonly comment: string | null
  }>
  readonly constraints: ReadonlyArray<{ readonly name: string; readonly definition: string }>
  readonly indexes: ReadonlyArray<{ readonly name: string; readonly definition: string }>
}

const relationKinds = `CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
  WHEN 'f' THEN 'foreign table' ELSE 'table' END`

/** The tables and views of the tenant's schemas it may read. */
export const listTables = (open: OpenDatabase, schema?: string) =>
  Effect.map(
    open.target.statement(
      `SELECT n.nspname AS schema, c.relname AS name, ${relationKinds} AS kind,
         greatest(c.reltuples, 0)::bigint AS row_estimate, obj_description(c.oid, 'pg_class') AS comment
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname = ANY($1::text[])
         AND has_table_privilege(c.oid, 'SELECT')
       ORDER BY 1, 2`,
      [schema === undefined ? open.allow.schemas : open.allow.schemas.filter((allowed) => allowed === schema)],
      open.run
    ),
    (result): ReadonlyArray<TableInfo> =>
      result.rows
        .map(([schema, name, kind, rowEstimate, comment]) => ({
          schema: String(schema),
          name: String(name),
          kind: String(kind),
          rowEstimate: Number(rowEstimate),
          comment: comment === null ? null : String(comment)
        }))
        .filter((table) => allows(open.allow, table.schema, table.name))
  )

/** `schema.table` of a name as an agent gives it, if the tenant may read it. */
export const resolveTable = (open: OpenDatabase, table: string) => {
  const dot = table.indexOf(".")
  if (dot >= 0) {
    const schema = table.slice(0, dot)
    const name = table.slice(dot + 1)
    return allows(open.allow, schema, name) ? Effect.succeed({ schema, name }) : Effect.fail(UnknownTable.of(table))
  }
  return Effect.flatMap(open.target.relations(open.allow.schemas), (known) => {
    const schema = resolveUnqualified(open.allow, known, table)
    return schema !== undefined && allows(open.allow, schema, table)
      ? Effect.succeed({ schema, name: table })
      : Effect.fail(UnknownTable.of(table))
  })
}

/** Columns, constraints, indexes, row estimate and comment of a table the tenant may read. */
export const describeTable = (open: OpenDatabase, table: string) =>
  Effect.flatMap(resolveTable(open, table), ({ schema, name }) =>
    Effect.flatMap(
      open.target.statement(
        `WITH t AS (
           SELECT c.oid, c.relkind, c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = $1 AND c.relname = $2 AND has_table_privilege(c.oid, 'SELECT'))
         SELECT ${relationKinds} AS kind, greatest(c.reltuples, 0)::bigint AS row_estimate,
           obj_description(t.oid, 'pg_class') AS comment,
           (SELECT coalesce(json_agg(json_build_object('name', a.attname,
               'type', format_type(a.atttypid, a.atttypmod), 'nullable', NOT a.attnotnull,
               'default', pg_get_expr(d.adbin, d.adrelid), 'comment', col_description(a.attrelid, a.attnum))
               ORDER BY a.attnum), '[]')
             FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
             WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
           (SELECT coalesce(json_agg(json_build_object('name', conname, 'definition', pg_get_constraintdef(oid))
               ORDER BY conname), '[]') FROM pg_constraint WHERE conrelid = t.oid) AS constraints,
           (SELECT coalesce(json_agg(json_build_object('name', indexrelid::regclass::text,
               'definition', pg_get_indexdef(indexrelid)) ORDER BY indexrelid::regclass::text), '[]')
             FROM pg_index WHERE indrelid = t.oid) AS indexes
         FROM t JOIN pg_class c ON c.oid = t.oid`,
        [schema, name],
        open.run
      ),
      (result) => {
        const row = result.rows[0]
        if (row === undefined) return Effect.fail(UnknownTable.of(table))
        const [kind, rowEstimate, comment, columns, constraints, indexes] = row
        return Effect.succeed({
          schema,
          name,
          kind: String(kind),
          rowEstimate: Number(rowEstimate),
          comment: comment === null ? null : String(comment),
          columns,
          constraints,
          indexes
        } as TableDescription)
      }
    )
  )
