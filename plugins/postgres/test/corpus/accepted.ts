/**
 * Queries an analyst writes that the plugin must run, with the result PostgreSQL gives their owner: CTEs, window
 * functions, FILTER, WITHIN GROUP, LATERAL, GROUPING SETS, DISTINCT ON, JSON operators, recursive CTEs, set
 * operations, VALUES, bind parameters (`literal` is the same query with the values written in, for the owner).
 */

export interface Accepted {
  readonly name: string
  readonly sql: string
  readonly params?: ReadonlyArray<unknown>
  readonly literal?: string
}

export const accepted: ReadonlyArray<Accepted> = [
  {
    name: "CTE",
    sql: "WITH big AS (SELECT customer_id, sum(quantity) AS q FROM orders GROUP BY 1) SELECT count(*) AS customers FROM big WHERE q > 40"
  },
  {
    name: "window function",
    sql: "SELECT id, customer_id, rank() OVER (PARTITION BY customer_id ORDER BY ordered_at) AS nth FROM orders ORDER BY id LIMIT 20"
  },
  {
    name: "FILTER",
    sql: "SELECT count(*) FILTER (WHERE status = 'returned') AS returned, count(*) AS total FROM orders"
  },
  { name: "WITHIN GROUP", sql: "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY quantity) AS median FROM orders" },
  {
    name: "LATERAL",
    sql: "SELECT c.id, o.id AS last_order FROM customers c CROSS JOIN LATERAL (SELECT id FROM orders WHERE customer_id = c.id ORDER BY ordered_at DESC LIMIT 1) o ORDER BY c.id LIMIT 10"
  },
  {
    name: "GROUPING SETS",
    sql: "SELECT status, date_trunc('month', ordered_at) AS month, count(*) AS n FROM orders GROUP BY GROUPING SETS ((status), (date_trunc('month', ordered_at))) ORDER BY 1, 2"
  },
  {
    name: "DISTINCT ON",
    sql: "SELECT DISTINCT ON (customer_id) customer_id, id FROM orders ORDER BY customer_id, ordered_at DESC"
  },
  {
    name: "JSON operators",
    sql: "SELECT properties->>'device' AS device, count(*) AS n FROM events WHERE properties ? 'page' GROUP BY 1 ORDER BY 1"
  },
  {
    name: "recursive CTE",
    sql: "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT sum(n) AS total FROM r"
  },
  {
    name: "bind parameters",
    sql: "SELECT count(*) AS n FROM orders WHERE status = $1 AND quantity >= $2",
    params: ["delivered", 2],
    literal: "SELECT count(*) AS n FROM orders WHERE status = 'delivered' AND quantity >= 2"
  },
  { name: "VALUES", sql: "VALUES (1, 'a'), (2, 'b')" },
  { name: "schema-qualified", sql: "SELECT count(*) AS n FROM public.orders" },
  {
    name: "revenue by category",
    sql: "SELECT p.category, sum(o.quantity * p.price) AS revenue FROM orders o JOIN products p ON p.id = o.product_id GROUP BY 1 ORDER BY 2 DESC"
  },
  {
    name: "set operation",
    sql: "SELECT id FROM customers WHERE country = 'DE' UNION SELECT customer_id FROM orders WHERE id < 5 ORDER BY 1"
  },
  {
    name: "CASE, COALESCE, casts",
    sql: "SELECT id, CASE WHEN quantity > 2 THEN 'bulk' ELSE 'single' END AS size, coalesce(NULL, status) AS s, ordered_at::date AS day FROM orders ORDER BY id LIMIT 5"
  },
  { name: "range function", sql: "SELECT g, g * g AS square FROM generate_series(1, 5) AS g" },
  { name: "trailing semicolon and comment", sql: "SELECT count(*) AS n FROM customers; -- how many" },
  {
    name: "monthly cohort",
    sql: "SELECT date_trunc('month', c.signed_up_at) AS cohort, count(DISTINCT o.customer_id) AS buyers FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY 1 ORDER BY 1"
  }
]
