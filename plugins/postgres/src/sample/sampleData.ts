/**
 * A small analytics database for the README and the tests: customers, products, orders and events, generated
 * deterministically (the same rows every time), so that example queries have known answers. `sampleSchema` creates
 * and fills it in the current database; `readerRole` is the SQL an operator runs to create the plugin's role. Both
 * are scripts of statements, each ending with `;` at the end of a line; `statementsOf` splits one for a client that
 * sends one statement at a time (the extended protocol takes one).
 */

/** Creates and fills the sample tables in schema `public` (120 customers, 24 products, 2,000 orders, 5,000 events). */
export const sampleSchema = `
CREATE TABLE customers (
  id int PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL UNIQUE,
  country text NOT NULL,
  signed_up_at timestamptz NOT NULL
);
COMMENT ON TABLE customers IS 'People who bought something, one row each';
COMMENT ON COLUMN customers.country IS 'ISO 3166-1 alpha-2 code';

CREATE TABLE products (
  id int PRIMARY KEY,
  name text NOT NULL,
  category text NOT NULL,
  price numeric(10, 2) NOT NULL CHECK (price > 0)
);

CREATE TABLE orders (
  id int PRIMARY KEY,
  customer_id int NOT NULL REFERENCES customers (id),
  product_id int NOT NULL REFERENCES products (id),
  quantity int NOT NULL CHECK (quantity > 0),
  status text NOT NULL CHECK (status IN ('placed', 'shipped', 'delivered', 'returned')),
  ordered_at timestamptz NOT NULL
);
CREATE INDEX orders_customer ON orders (customer_id);
CREATE INDEX orders_ordered_at ON orders (ordered_at);

CREATE TABLE events (
  id bigint PRIMARY KEY,
  customer_id int NOT NULL REFERENCES customers (id),
  kind text NOT NULL,
  at timestamptz NOT NULL,
  properties jsonb NOT NULL DEFAULT '{}'
);

INSERT INTO customers
SELECT i, 'Customer ' || i, 'customer' || i || '@example.com',
  (ARRAY['DE', 'FR', 'US', 'GB', 'JP', 'BR'])[1 + i % 6],
  timestamptz '2025-01-01 00:00:00+00' + (i * interval '61 hours')
FROM generate_series(1, 120) AS i;

INSERT INTO products
SELECT i, 'Product ' || i, (ARRAY['books', 'games', 'garden', 'kitchen'])[1 + i % 4], (5 + (i * 7) % 95) + 0.99
FROM generate_series(1, 24) AS i;

INSERT INTO orders
SELECT i, 1 + (i * 37) % 120, 1 + (i * 11) % 24, 1 + i % 4,
  (ARRAY['placed', 'shipped', 'delivered', 'delivered', 'returned'])[1 + i % 5],
  timestamptz '2026-01-01 00:00:00+00' + (i * interval '3 hours 7 minutes')
FROM generate_series(1, 2000) AS i;

INSERT INTO events
SELECT i, 1 + (i * 13) % 120, (ARRAY['visit', 'search', 'add_to_cart', 'checkout'])[1 + i % 4],
  timestamptz '2026-01-01 00:00:00+00' + (i * interval '71 minutes'),
  jsonb_build_object('page', '/p/' || (1 + i % 24), 'device', (ARRAY['web', 'ios', 'android'])[1 + i % 3])
FROM generate_series(1, 5000) AS i;
ANALYZE customers, products, orders, events;
`

/** The SQL an operator runs to create the plugin's role with `SELECT` only on `schemas` of `database`. */
export const readerRole = (role: string, database: string, schemas: ReadonlyArray<string>): string =>
  `${[
    `CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS`,
    `GRANT CONNECT ON DATABASE ${database} TO ${role}`,
    ...schemas.flatMap((schema) => [
      `GRANT USAGE ON SCHEMA ${schema} TO ${role}`,
      `GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${role}`,
      `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT SELECT ON TABLES TO ${role}`
    ])
  ].join(";\n")};\n`

/** The statements of a script (one per `;` at the end of a line). */
export const statementsOf = (script: string): ReadonlyArray<string> =>
  script
    .split(/;\s*(?:\n|$)/)
    .map((statement) => statement.trim())
    .filter((statement) => statement !== "")
