/**
 * The attack corpus: SQL an agent might send to change data, escape the read-only transaction, reach files,
 * programs, other sessions or another tenant's rows, or exhaust the server. Each case says what must happen:
 *
 * - `parser` / `scope`: refused before it reaches the database, by the statement rules or the tenant's allow-list;
 * - `failed`: PostgreSQL stops it (the statement timeout);
 * - `capped`: it runs, and the result is cut at the row or byte cap;
 * - `rls`: it runs, and row-level security shows only the tenant's own rows (none of another's).
 *
 * `write: true` marks the cases that would change something if run: the layer tests run them with each defence
 * switched off in turn. Add cases here; the tests pick them up.
 */

export interface Attack {
  readonly name: string
  readonly sql: string
  readonly params?: ReadonlyArray<unknown>
  /** The tenant sending it (default `acme`). */
  readonly tenant?: string
  readonly expect: "parser" | "scope" | "failed" | "capped" | "rls"
  /** Part of the refusal's message. */
  readonly says?: string
  readonly write?: boolean
}

export const attacks: ReadonlyArray<Attack> = [
  // Stacked statements and transaction control
  {
    name: "stacked DROP",
    sql: "SELECT 1; DROP TABLE orders",
    expect: "parser",
    says: "only one statement",
    write: true
  },
  {
    name: "COMMIT then DROP",
    sql: "SELECT 1; COMMIT; DROP TABLE orders",
    expect: "parser",
    says: "only one statement",
    write: true
  },
  { name: "leading COMMIT", sql: "COMMIT; DROP TABLE orders", expect: "parser", write: true },
  { name: "ROLLBACK then DELETE", sql: "ROLLBACK; DELETE FROM orders", expect: "parser", write: true },
  { name: "own transaction", sql: "BEGIN; UPDATE orders SET quantity = 0; COMMIT", expect: "parser", write: true },
  { name: "empty statement between", sql: "SELECT 1;;DELETE FROM orders", expect: "parser", write: true },
  {
    name: "plain DELETE",
    sql: "/* harmless */ DELETE FROM orders",
    expect: "parser",
    says: "DELETE is not allowed",
    write: true
  },
  { name: "UPDATE", sql: "UPDATE customers SET name = 'x'", expect: "parser", says: "UPDATE", write: true },
  {
    name: "INSERT",
    sql: "INSERT INTO products VALUES (99, 'x', 'y', 1)",
    expect: "parser",
    says: "INSERT",
    write: true
  },
  { name: "TRUNCATE", sql: "TRUNCATE orders", expect: "parser", write: true },
  { name: "DROP TABLE", sql: "DROP TABLE orders", expect: "parser", write: true },
  { name: "ALTER TABLE", sql: "ALTER TABLE orders ADD COLUMN x int", expect: "parser", write: true },
  {
    name: "MERGE",
    sql: "MERGE INTO products p USING products q ON p.id = q.id WHEN MATCHED THEN DELETE",
    expect: "parser",
    write: true
  },
  // Data-modifying CTEs, at the top and nested
  {
    name: "DELETE in WITH",
    sql: "WITH d AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM d",
    expect: "parser",
    says: "data-modifying WITH",
    write: true
  },
  {
    name: "UPDATE in WITH",
    sql: "WITH u AS (UPDATE customers SET name = 'x' RETURNING id) SELECT * FROM u",
    expect: "parser",
    write: true
  },
  {
    name: "INSERT in WITH",
    sql: "WITH i AS (INSERT INTO products VALUES (99, 'x', 'y', 1) RETURNING id) SELECT 1",
    expect: "parser",
    write: true
  },
  {
    name: "DELETE in nested WITH",
    sql: "SELECT * FROM (WITH d AS (DELETE FROM orders RETURNING id) SELECT id FROM d) s",
    expect: "parser",
    write: true
  },
  {
    name: "DELETE beside a recursive CTE",
    sql: "WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3), d AS (DELETE FROM events RETURNING id) SELECT * FROM r",
    expect: "parser",
    write: true
  },
  {
    name: "DELETE in a subquery's WITH in WHERE",
    sql: "SELECT 1 WHERE EXISTS (WITH d AS (DELETE FROM orders RETURNING 1) SELECT * FROM d)",
    expect: "parser",
    write: true
  },
  // SELECT INTO and locking
  {
    name: "SELECT INTO",
    sql: "SELECT * INTO stolen FROM customers",
    expect: "parser",
    says: "SELECT ... INTO",
    write: true
  },
  { name: "FOR UPDATE", sql: "SELECT * FROM orders FOR UPDATE", expect: "parser", says: "locking", write: true },
  {
    name: "FOR SHARE NOWAIT",
    sql: "SELECT * FROM orders FOR SHARE NOWAIT",
    expect: "parser",
    says: "locking",
    write: true
  },
  {
    name: "FOR UPDATE OF in a join",
    sql: "SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id FOR UPDATE OF o SKIP LOCKED",
    expect: "parser",
    write: true
  },
  {
    name: "FOR UPDATE in a subquery",
    sql: "SELECT * FROM (SELECT * FROM orders FOR UPDATE) s",
    expect: "parser",
    write: true
  },
  // Settings and roles
  { name: "SET ROLE", sql: "SET ROLE postgres", expect: "parser", says: "SET", write: true },
  { name: "SET SESSION AUTHORIZATION", sql: "SET SESSION AUTHORIZATION postgres", expect: "parser", write: true },
  { name: "RESET ROLE", sql: "RESET ROLE", expect: "parser", write: true },
  { name: "SET statement_timeout", sql: "SET statement_timeout = 0", expect: "parser", write: true },
  {
    name: "set_config of the timeout",
    sql: "SELECT set_config('statement_timeout', '0', false)",
    expect: "parser",
    says: "function set_config is not allowed",
    write: true
  },
  {
    name: "set_config of the tenant",
    sql: "SELECT set_config('app.tenant_id', 'globex', false)",
    expect: "parser",
    says: "set_config",
    write: true
  },
  {
    name: "current_setting",
    sql: "SELECT current_setting('app.tenant_id')",
    expect: "parser",
    says: "current_setting"
  },
  { name: "SHOW ALL", sql: "SHOW ALL", expect: "parser" },
  // Sleeping and cancelling
  { name: "pg_sleep", sql: "SELECT pg_sleep(10)", expect: "parser", says: "function pg_sleep is not allowed" },
  { name: "pg_catalog.pg_sleep", sql: "SELECT pg_catalog.pg_sleep(10)", expect: "parser", says: "pg_sleep" },
  { name: "pg_sleep in FROM", sql: "SELECT * FROM pg_sleep(10)", expect: "parser", says: "pg_sleep" },
  { name: "pg_sleep in ROWS FROM", sql: "SELECT * FROM ROWS FROM (pg_sleep(1))", expect: "parser", says: "pg_sleep" },
  { name: "pg_sleep_for", sql: "SELECT pg_sleep_for('10 seconds')", expect: "parser" },
  { name: "pg_sleep in a scalar subquery", sql: "SELECT (SELECT pg_sleep(5)) AS x", expect: "parser" },
  {
    name: "pg_sleep in LATERAL",
    sql: "SELECT * FROM unnest(ARRAY[1]) u, LATERAL (SELECT pg_sleep(1)) s",
    expect: "parser"
  },
  { name: "pg_terminate_backend", sql: "SELECT pg_terminate_backend(pg_backend_pid())", expect: "parser" },
  { name: "pg_cancel_backend", sql: "SELECT pg_cancel_backend(1)", expect: "parser" },
  { name: "advisory lock", sql: "SELECT pg_advisory_lock(1)", expect: "parser" },
  { name: "pg_reload_conf", sql: "SELECT pg_reload_conf()", expect: "parser" },
  { name: "txid_current", sql: "SELECT txid_current()", expect: "parser" },
  { name: "nextval", sql: "SELECT nextval('orders_seq')", expect: "parser", write: true },
  // Files, programs, large objects, other servers
  {
    name: "COPY TO PROGRAM",
    sql: "COPY orders TO PROGRAM 'touch /tmp/bulwark-pwned'",
    expect: "parser",
    says: "COPY",
    write: true
  },
  { name: "COPY to a file", sql: "COPY (SELECT 1) TO '/tmp/bulwark-pwned'", expect: "parser", write: true },
  { name: "COPY from a file", sql: "COPY products FROM '/etc/passwd'", expect: "parser", write: true },
  { name: "pg_read_file", sql: "SELECT pg_read_file('/etc/passwd')", expect: "parser", says: "pg_read_file" },
  { name: "pg_read_binary_file", sql: "SELECT pg_read_binary_file('/etc/passwd')", expect: "parser" },
  { name: "pg_ls_dir", sql: "SELECT * FROM pg_ls_dir('.')", expect: "parser" },
  { name: "lo_import", sql: "SELECT lo_import('/etc/passwd')", expect: "parser", says: "lo_import", write: true },
  { name: "lo_export", sql: "SELECT lo_export(1, '/tmp/bulwark-pwned')", expect: "parser", write: true },
  { name: "lo_create", sql: "SELECT lo_create(0)", expect: "parser", write: true },
  { name: "dblink exec", sql: "SELECT dblink_exec('dbname=postgres', 'DROP TABLE x')", expect: "parser", write: true },
  { name: "dblink in FROM", sql: "SELECT * FROM dblink('dbname=postgres', 'SELECT 1') AS t(a int)", expect: "parser" },
  {
    name: "query_to_xml runs SQL",
    sql: "SELECT query_to_xml('DELETE FROM orders', true, true, '')",
    expect: "parser",
    write: true
  },
  { name: "XML parsing", sql: "SELECT xmlparse(document '<a/>')", expect: "parser" },
  // Code and DDL
  {
    name: "CREATE FUNCTION",
    sql: "CREATE FUNCTION f() RETURNS int AS 'select 1' LANGUAGE sql",
    expect: "parser",
    says: "CREATE FUNCTION",
    write: true
  },
  { name: "DO block", sql: "DO $$ BEGIN DELETE FROM orders; END $$", expect: "parser", says: "DO", write: true },
  { name: "CREATE TABLE AS", sql: "CREATE TABLE stolen AS SELECT * FROM customers", expect: "parser", write: true },
  { name: "CREATE TEMP TABLE", sql: "CREATE TEMP TABLE t (a int)", expect: "parser", write: true },
  { name: "PREPARE a DELETE", sql: "PREPARE p AS DELETE FROM orders", expect: "parser", write: true },
  { name: "EXECUTE", sql: "EXECUTE p", expect: "parser" },
  { name: "CALL", sql: "CALL some_procedure()", expect: "parser" },
  { name: "GRANT", sql: "GRANT SELECT ON orders TO public", expect: "parser", write: true },
  { name: "NOTIFY", sql: "NOTIFY bulwark, 'x'", expect: "parser" },
  { name: "LOCK TABLE", sql: "LOCK TABLE orders", expect: "parser" },
  { name: "VACUUM", sql: "VACUUM orders", expect: "parser" },
  { name: "DECLARE a cursor", sql: "DECLARE c CURSOR FOR SELECT 1", expect: "parser" },
  {
    name: "EXPLAIN ANALYZE of a DELETE",
    sql: "EXPLAIN ANALYZE DELETE FROM orders",
    expect: "parser",
    says: "EXPLAIN is allowed only of a SELECT",
    write: true
  },
  {
    name: "EXPLAIN ANALYZE of a data-modifying CTE",
    sql: "EXPLAIN ANALYZE WITH d AS (DELETE FROM orders RETURNING 1) SELECT * FROM d",
    expect: "parser",
    write: true
  },
  // Comment, quoting and escape tricks
  {
    name: "statement after a block comment",
    sql: "SELECT 1 /* ; */ ; DROP TABLE orders",
    expect: "parser",
    write: true
  },
  { name: "dollar-quoted semicolon", sql: "SELECT $$;$$; DELETE FROM orders", expect: "parser", write: true },
  {
    name: "statement after a line comment",
    sql: "SELECT 1 -- comment\n; DELETE FROM orders",
    expect: "parser",
    write: true
  },
  {
    name: "nested block comments",
    sql: "SELECT 1 /* /* */ ; DELETE FROM orders; /* */",
    expect: "parser",
    write: true
  },
  { name: "escaped semicolon in a string", sql: "SELECT E'\\x3b'; DELETE FROM orders", expect: "parser", write: true },
  { name: "mixed case", sql: "SeLeCt 1; dRoP tAbLe orders", expect: "parser", write: true },
  { name: "Unicode-escaped function name", sql: 'SELECT U&"\\0070g_sleep"(1)', expect: "parser", says: "pg_sleep" },
  { name: "quoted function name", sql: 'SELECT "pg_sleep"(1)', expect: "parser", says: "pg_sleep" },
  { name: "upper-case function name", sql: "SELECT PG_SLEEP(1)", expect: "parser", says: "pg_sleep" },
  { name: "operator of another schema", sql: "SELECT 1 OPERATOR(public.+) 1", expect: "parser", says: "operator" },
  {
    name: "function of another schema",
    sql: "SELECT public.lower('A')",
    expect: "parser",
    says: "only built-in functions"
  },
  // Other schemas, the catalog, other databases, other tenants
  {
    name: "a schema not allowed",
    sql: "SELECT * FROM payroll.salaries",
    expect: "scope",
    says: "schema payroll is not in this tenant's allow-list"
  },
  { name: "a table not allowed, unqualified", sql: "SELECT * FROM salaries", expect: "scope", says: "salaries" },
  { name: "pg_authid", sql: "SELECT * FROM pg_catalog.pg_authid", expect: "scope" },
  { name: "pg_roles unqualified", sql: "SELECT rolname FROM pg_roles", expect: "scope", says: "system catalog" },
  { name: "pg_stat_activity", sql: "SELECT query FROM pg_stat_activity", expect: "scope" },
  { name: "information_schema", sql: "SELECT * FROM information_schema.tables", expect: "scope" },
  { name: "another database", sql: "SELECT * FROM otherdb.public.orders", expect: "scope", says: "other databases" },
  {
    name: "a schema not allowed in EXISTS",
    sql: "SELECT * FROM customers WHERE EXISTS (SELECT 1 FROM payroll.salaries)",
    expect: "scope"
  },
  {
    name: "a CTE named like the table",
    sql: "WITH salaries AS (SELECT 1) SELECT * FROM payroll.salaries",
    expect: "scope"
  },
  {
    name: "a CTE's name used outside its scope",
    sql: "SELECT * FROM (WITH pg_roles AS (SELECT 1) SELECT 1) x, pg_roles",
    expect: "scope"
  },
  {
    name: "a later CTE's name used too early",
    sql: "WITH a AS (SELECT * FROM pg_roles), pg_roles AS (SELECT 1) SELECT * FROM a",
    expect: "scope"
  },
  { name: "another tenant's tables", sql: "SELECT * FROM orders", tenant: "globex", expect: "scope", says: "orders" },
  {
    name: "another tenant's rows under RLS",
    sql: "SELECT * FROM tenant_notes WHERE tenant_id = 'globex'",
    expect: "rls"
  },
  { name: "every row under RLS", sql: "SELECT * FROM tenant_notes WHERE true OR tenant_id <> 'acme'", expect: "rls" },
  {
    name: "RLS with a forged setting",
    sql: "SELECT * FROM tenant_notes WHERE set_config('app.tenant_id', 'globex', true) IS NOT NULL",
    expect: "parser"
  },
  // Exhausting the server
  { name: "huge cross join", sql: "SELECT * FROM events a, events b", expect: "capped" },
  { name: "huge values", sql: "SELECT repeat('x', 100000) FROM generate_series(1, 100)", expect: "capped" },
  {
    name: "unbounded recursion",
    sql: "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
    expect: "failed",
    says: "statement timeout"
  },
  {
    name: "a three-way cross join counted",
    sql: "SELECT count(*) FROM events a, events b, events c",
    expect: "failed",
    says: "statement timeout"
  }
]
