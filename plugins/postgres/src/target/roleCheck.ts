/**
 * What the plugin checks of its role before it serves a database: not a superuser and nothing like one (no
 * `CREATEROLE`, no `BYPASSRLS` where tenants share tables), no membership of the roles that reach the server's files
 * and programs, no table it owns, no table, schema or database it may write to or create in. Each finding is a
 * sentence of the refusal.
 */

import { Effect } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"

interface RoleRow {
  readonly role: string
  readonly superuser: boolean
  readonly createrole: boolean
  readonly bypassrls: boolean
  readonly createdb: boolean
  readonly server_roles: ReadonlyArray<string> | null
  readonly owned: ReadonlyArray<string> | null
  readonly writable: ReadonlyArray<string> | null
  readonly creatable: ReadonlyArray<string> | null
  readonly database_create: boolean
}

const systemSchema = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`

/** The role's findings, as sentences; none when it is safe. */
export const roleProblems = (sql: SqlClient, sharedTables: boolean) =>
  Effect.map(
    sql.unsafe<RoleRow>(`
      SELECT r.rolname AS role, r.rolsuper AS superuser, r.rolcreaterole AS createrole, r.rolbypassrls AS bypassrls,
        r.rolcreatedb AS createdb,
        ARRAY(SELECT s FROM unnest(ARRAY['pg_write_server_files', 'pg_execute_server_program',
          'pg_read_server_files', 'pg_write_all_data', 'pg_read_all_data', 'pg_signal_backend']) AS s
          WHERE pg_has_role(current_user, s, 'MEMBER')) AS server_roles,
        ARRAY(SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND pg_has_role(current_user, c.relowner, 'MEMBER')
          AND ${systemSchema} LIMIT 5) AS owned,
        ARRAY(SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p', 'v', 'f', 'm') AND ${systemSchema}
          AND has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE') LIMIT 5) AS writable,
        ARRAY(SELECT n.nspname FROM pg_namespace n WHERE ${systemSchema}
          AND has_schema_privilege(n.oid, 'CREATE') LIMIT 5) AS creatable,
        has_database_privilege(current_database(), 'CREATE') AS database_create
      FROM pg_roles r WHERE r.rolname = current_user`),
    (rows): { readonly role: string; readonly problems: ReadonlyArray<string> } => {
      const row = rows[0]
      if (row === undefined) return { role: "?", problems: ["is not a role of this database"] }
      const problems: Array<string> = []
      if (row.superuser) problems.push("is a superuser")
      if (row.createrole) problems.push("can create roles")
      if (row.createdb) problems.push("can create databases")
      if (sharedTables && row.bypassrls) problems.push("bypasses row-level security")
      if ((row.server_roles ?? []).length > 0) problems.push(`is a member of ${row.server_roles!.join(", ")}`)
      if ((row.owned ?? []).length > 0) problems.push(`owns ${row.owned!.join(", ")}`)
      if ((row.writable ?? []).length > 0) problems.push(`can write to ${row.writable!.join(", ")}`)
      if ((row.creatable ?? []).length > 0) problems.push(`can create objects in schema ${row.creatable!.join(", ")}`)
      if (row.database_create) problems.push("can create schemas in the database")
      return { role: row.role, problems }
    }
  )
