/**
 * The database the postgres plugin's tests read: a fresh database on the local PostgreSQL with the sample analytics
 * tables, a `payroll` schema the plugin's configuration does not allow (its role may read it, so only the allow-list
 * stands in the way), a `tenant_notes` table several tenants share under row-level security, and a role created
 * exactly as the README says (SELECT only). `checksum` fingerprints everything an attack could change.
 */
import { randomBytes } from "node:crypto"
import { createDatabase, dropDatabases, query } from "@bulwark/database/testing"
import { Schema } from "effect"
import { PostgresConfig, readerRole, sampleSchema, statementsOf } from "../../src/index.ts"

const extras = `
CREATE SCHEMA payroll;
CREATE TABLE payroll.salaries (employee text PRIMARY KEY, amount int NOT NULL);
INSERT INTO payroll.salaries VALUES ('ada', 120000), ('grace', 130000);
CREATE TABLE tenant_notes (id int PRIMARY KEY, tenant_id text NOT NULL, note text NOT NULL);
INSERT INTO tenant_notes VALUES (1, 'acme', 'acme secret plan'), (2, 'acme', 'acme pricing'),
  (3, 'globex', 'globex merger'), (4, 'initech', 'initech layoffs');
ALTER TABLE tenant_notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_notes USING (tenant_id = current_setting('app.tenant_id', true));
`

/** A prepared database: its URL as the reader role and as the owner, and how to remove it all. */
export interface AnalyticsDatabase {
  readonly name: string
  readonly role: string
  readonly readerUrl: string
  readonly ownerUrl: string
  readonly drop: () => Promise<void>
}

/** Creates the database, fills it, and creates its reader role. */
export const createAnalyticsDatabase = async (label: string): Promise<AnalyticsDatabase> => {
  const database = await createDatabase(label)
  const role = `bulwark_reader_${randomBytes(4).toString("hex")}`
  for (const statement of statementsOf(sampleSchema + extras)) await query(database.url, statement)
  for (const statement of statementsOf(readerRole(role, `"${database.name}"`, ["public", "payroll"]))) {
    await query(database.url, statement)
  }
  const readerUrl = new URL(database.url)
  readerUrl.username = role
  return {
    name: database.name,
    role,
    readerUrl: readerUrl.toString(),
    ownerUrl: database.url,
    drop: async () => {
      await dropDatabases()
      await query(new URL("/postgres", database.url).toString(), `DROP ROLE IF EXISTS ${role}`)
    }
  }
}

/** A fingerprint of every table's rows, the database's relations and functions, and the roles and their settings. */
export const checksum = async (database: AnalyticsDatabase): Promise<string> => {
  const rows = await query(
    database.ownerUrl,
    `SELECT md5(concat_ws('|',
       (SELECT md5(array_agg(c ORDER BY c.id)::text) FROM customers c),
       (SELECT md5(array_agg(p ORDER BY p.id)::text) FROM products p),
       (SELECT md5(array_agg(o ORDER BY o.id)::text) FROM orders o),
       (SELECT md5(array_agg(e ORDER BY e.id)::text) FROM events e),
       (SELECT md5(array_agg(s ORDER BY s.employee)::text) FROM payroll.salaries s),
       (SELECT md5(array_agg(n ORDER BY n.id)::text) FROM tenant_notes n),
       (SELECT md5(string_agg(n.nspname || '.' || c.relname || c.relkind::text, ',' ORDER BY 1)) FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg_toast%'),
       (SELECT md5(coalesce(string_agg(p.proname, ',' ORDER BY 1), '')) FROM pg_proc p
          JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')),
       (SELECT md5(string_agg(r.rolname || r.rolsuper::text || r.rolcreaterole::text || r.rolcreatedb::text || r.rolcanlogin::text
          || coalesce(r.rolpassword, ''), ',' ORDER BY 1)) FROM pg_authid r),
       (SELECT md5(coalesce(string_agg(array_to_string(s.setconfig, ','), ';' ORDER BY 1), ''))
          FROM pg_db_role_setting s),
       (SELECT count(*) FROM pg_largeobject_metadata)
     )) AS sum`
  )
  return String(rows[0]?.sum)
}

/** The plugin's configuration for the database: tenants acme (everything of public) and globex (two tables). */
export const configFor = (database: AnalyticsDatabase, overrides: Record<string, unknown> = {}) =>
  Schema.decodeUnknownSync(PostgresConfig)({
    databases: [
      {
        name: "shop",
        url: database.readerUrl,
        description: "The web shop: customers, products, orders, events",
        schemas: ["public"],
        tenantSetting: "app.tenant_id",
        tenants: { acme: {}, globex: { tables: ["public.tenant_notes", "public.products"] } },
        maxRows: 500,
        maxBytes: 200_000,
        statementTimeout: "1 second",
        ...overrides
      }
    ]
  })
