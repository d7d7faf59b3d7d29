/**
 * What one tenant may read of one database, and the relations that database has there: what the guard resolves
 * table names against. Unqualified names resolve as PostgreSQL will resolve them under the `search_path` the plugin
 * sets (the system catalog first, then the allowed schemas in order), so a name the guard accepts is the table the
 * query reads.
 */

/** The schemas (in `search_path` order) and, when the tenant is limited to some, the tables (`schema.table`). */
export interface AllowList {
  readonly schemas: ReadonlyArray<string>
  readonly tables: ReadonlySet<string> | undefined
}

/** The relations (tables, views, ...) of the database, by schema, and the system catalog's relation names. */
export interface KnownRelations {
  readonly bySchema: ReadonlyMap<string, ReadonlySet<string>>
  readonly catalog: ReadonlySet<string>
}

/** Whether `schema.table` is allowed. */
export const allows = (allow: AllowList, schema: string, table: string): boolean =>
  allow.schemas.includes(schema) && (allow.tables === undefined || allow.tables.has(`${schema}.${table}`))

/** The allowed schema an unqualified table name resolves to, if any. */
export const resolveUnqualified = (allow: AllowList, known: KnownRelations, table: string): string | undefined =>
  allow.schemas.find((schema) => known.bySchema.get(schema)?.has(table) === true)
