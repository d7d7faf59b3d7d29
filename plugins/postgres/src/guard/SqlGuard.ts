/**
 * The parser layer of the defence: decides from PostgreSQL's own parse tree whether SQL an agent sent is one
 * read-only query over what its tenant may see. Every node of the tree is visited, not only the top statement (a
 * data-modifying CTE parses as a plain SELECT at the top; a function in FROM hides in a range-function node), and
 * every node must be of a kind on an allow-list of what read-only queries are made of, so a construct nobody thought
 * of is refused rather than let through:
 *
 * - exactly one statement: a `SELECT` (with `WITH`, set operations, `VALUES`), or `EXPLAIN` of one;
 * - no `SELECT ... INTO`, no locking clause (`FOR UPDATE`/`FOR SHARE`), no data-modifying CTE;
 * - functions only from an allow-list of built-ins (see `functions.ts`), unqualified or in `pg_catalog`; operators
 *   only unqualified or in `pg_catalog`;
 * - every table resolved against the tenant's allow-list, through CTE scopes (a CTE's name is a table only where it
 *   is visible), qualified or as `search_path` will resolve it; a name the system catalog also has is refused
 *   unqualified, and other databases (`db.schema.table`) always.
 *
 * The refusal says what and why in words an agent can act on. Pure: the same SQL and lists give the same answer.
 */
import { Result } from "effect"
import { QueryRefused } from "../Errors.ts"
import { type AllowList, allows, type KnownRelations, resolveUnqualified } from "./AllowList.ts"
import { allowedFunctions } from "./functions.ts"
import type { RawStatement } from "./SqlParser.ts"

/** A query the guard accepted: whether it is an `EXPLAIN`, and the tables it reads (`schema.table`). */
export interface CheckedQuery {
  readonly explain: boolean
  readonly tables: ReadonlyArray<string>
}

/** The node kinds read-only queries are made of. */
const allowedNodes: ReadonlySet<string> = new Set([
  "SelectStmt",
  "ResTarget",
  "ColumnRef",
  "A_Star",
  "A_Const",
  "String",
  "Integer",
  "Float",
  "Boolean",
  "BitString",
  "List",
  "A_Expr",
  "BoolExpr",
  "FuncCall",
  "RangeVar",
  "JoinExpr",
  "RangeSubselect",
  "RangeFunction",
  "SubLink",
  "CaseExpr",
  "CaseWhen",
  "CoalesceExpr",
  "MinMaxExpr",
  "NullTest",
  "BooleanTest",
  "TypeCast",
  "TypeName",
  "SortBy",
  "WindowDef",
  "GroupingSet",
  "RowExpr",
  "A_ArrayExpr",
  "A_Indirection",
  "A_Indices",
  "ParamRef",
  "SQLValueFunction",
  "CollateClause",
  "Alias",
  "CTESearchClause",
  "CTECycleClause",
  "RangeTableSample"
])

/** What a refused statement or node is, in the words SQL uses. */
const spoken: Readonly<Record<string, string>> = {
  TransactionStmt: "transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT)",
  VariableSetStmt: "SET",
  VariableShowStmt: "SHOW",
  CopyStmt: "COPY",
  DoStmt: "DO",
  CallStmt: "CALL",
  ExecuteStmt: "EXECUTE",
  PrepareStmt: "PREPARE",
  DeclareCursorStmt: "DECLARE",
  ListenStmt: "LISTEN",
  NotifyStmt: "NOTIFY",
  LockStmt: "LOCK",
  RangeTableFunc: "XMLTABLE",
  JsonTable: "JSON_TABLE",
  LockingClause: "a locking clause (FOR UPDATE, FOR SHARE)",
  IntoClause: "SELECT ... INTO"
}

const describeNode = (tag: string): string => {
  const known = spoken[tag]
  if (known !== undefined) return known
  if (!tag.endsWith("Stmt")) return tag
  return tag
    .slice(0, -4)
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toUpperCase()
}

/** Raised inside the walk, turned into a `QueryRefused` by `checkQuery` (never leaves this module). */
class Refusal {
  readonly layer: "parser" | "scope"
  readonly message: string
  constructor(layer: "parser" | "scope", message: string) {
    this.layer = layer
    this.message = message
  }
}

type Node = Readonly<Record<string, unknown>>

const isNode = (value: unknown): value is Node => typeof value === "object" && value !== null

/** The strings of a name list (`[{ String: { sval } }]`). */
const nameParts = (list: unknown): ReadonlyArray<string> =>
  Array.isArray(list)
    ? list.map((item) => {
        const string = isNode(item) && isNode(item.String) ? item.String.sval : undefined
        return typeof string === "string" ? string : ""
      })
    : []

/** A walk over one statement: the tables it reads, checked against the allow-list. */
class Walk {
  readonly tables = new Set<string>()
  readonly allow: AllowList
  readonly known: KnownRelations

  constructor(allow: AllowList, known: KnownRelations) {
    this.allow = allow
    this.known = known
  }

  value(value: unknown, ctes: ReadonlySet<string>): void {
    if (Array.isArray(value)) {
      for (const item of value) this.value(item, ctes)
      return
    }
    if (!isNode(value)) return
    for (const key in value) {
      const inner = value[key]
      if (/^[A-Z]/.test(key)) this.node(key, inner as Node, ctes)
      else this.value(inner, ctes)
    }
  }

  node(tag: string, node: Node, ctes: ReadonlySet<string>): void {
    if (!allowedNodes.has(tag))
      throw new Refusal("parser", `${describeNode(tag)} is not allowed: only read-only queries`)
    switch (tag) {
      case "SelectStmt":
        this.select(node, ctes)
        return
      case "RangeVar":
        this.relation(node, ctes)
        return
      case "FuncCall":
        this.function(node)
        break
      case "A_Expr":
        this.operator(node)
        break
    }
    this.value(node, ctes)
  }

  select(node: Node, outer: ReadonlySet<string>): void {
    if (node.intoClause !== undefined) {
      throw new Refusal("parser", "SELECT ... INTO is not allowed: it creates a table")
    }
    if (node.lockingClause !== undefined) {
      throw new Refusal("parser", "locking clauses (FOR UPDATE, FOR SHARE, ...) are not allowed: queries only read")
    }
    let ctes = outer
    const withClause = node.withClause
    if (isNode(withClause)) {
      const list = Array.isArray(withClause.ctes) ? withClause.ctes : []
      const recursive = withClause.recursive === true
      const names = list.map((item) =>
        isNode(item) && isNode(item.CommonTableExpr) ? String(item.CommonTableExpr.ctename) : ""
      )
      const all = new Set([...outer, ...names])
      list.forEach((item, index) => {
        const cte = isNode(item) && isNode(item.CommonTableExpr) ? item.CommonTableExpr : undefined
        if (cte === undefined) throw new Refusal("parser", "a malformed WITH clause")
        const query = cte.ctequery
        const queryTag = isNode(query) ? Object.keys(query)[0] : undefined
        if (queryTag !== "SelectStmt") {
          throw new Refusal(
            "parser",
            `a data-modifying WITH query (${describeNode(queryTag ?? "?")} in "${names[index]}") is not allowed: queries only read`
          )
        }
        const visible = recursive ? all : new Set([...outer, ...names.slice(0, index)])
        this.value(cte, visible)
      })
      ctes = all
    }
    for (const key in node) if (key !== "withClause") this.value(node[key], ctes)
  }

  relation(node: Node, ctes: ReadonlySet<string>): void {
    const table = String(node.relname ?? "")
    const schema = typeof node.schemaname === "string" ? node.schemaname : undefined
    if (typeof node.catalogname === "string") {
      throw new Refusal("scope", `${node.catalogname}.${schema}.${table}: other databases cannot be read`)
    }
    if (schema === undefined) {
      if (ctes.has(table)) return
      if (this.known.catalog.has(table)) {
        throw new Refusal("scope", `table ${table} is not in this tenant's allow-list (it names a system catalog)`)
      }
      const resolved = resolveUnqualified(this.allow, this.known, table)
      if (resolved === undefined || !allows(this.allow, resolved, table)) {
        throw new Refusal("scope", `table ${table} does not exist or is not in this tenant's allow-list`)
      }
      this.tables.add(`${resolved}.${table}`)
      return
    }
    if (!this.allow.schemas.includes(schema)) {
      throw new Refusal("scope", `schema ${schema} is not in this tenant's allow-list (table ${schema}.${table})`)
    }
    if (!allows(this.allow, schema, table)) {
      throw new Refusal("scope", `table ${schema}.${table} is not in this tenant's allow-list`)
    }
    this.tables.add(`${schema}.${table}`)
  }

  function(node: Node): void {
    const parts = nameParts(node.funcname)
    const name = parts.at(-1)?.toLowerCase() ?? ""
    const qualifier = parts.length > 1 ? parts.slice(0, -1).join(".") : undefined
    if (qualifier !== undefined && qualifier !== "pg_catalog") {
      throw new Refusal("parser", `function ${parts.join(".")} is not allowed: only built-in functions`)
    }
    if (!allowedFunctions.has(name)) throw new Refusal("parser", `function ${name} is not allowed`)
  }

  operator(node: Node): void {
    const parts = nameParts(node.name)
    if (parts.length > 1 && parts[0] !== "pg_catalog") {
      throw new Refusal("parser", `operator ${parts.join(".")} is not allowed: only built-in operators`)
    }
  }
}

/** Refuses `message` as the parser layer. */
const refused = (layer: "parser" | "scope", message: string) => Result.fail(new QueryRefused({ layer, message }))

/**
 * Checks parsed SQL: one read-only query (an `EXPLAIN` of one when `explain` allows it) over tables `allow` lets
 * the tenant read.
 */
export const checkQuery = (
  statements: ReadonlyArray<RawStatement>,
  allow: AllowList,
  known: KnownRelations,
  options: { readonly explain: boolean } = { explain: true }
): Result.Result<CheckedQuery, QueryRefused> => {
  if (statements.length === 0) return refused("parser", "the query is empty")
  if (statements.length > 1) {
    return refused("parser", `only one statement is allowed (found ${statements.length})`)
  }
  const top = statements[0]!.stmt
  const tag = Object.keys(top)[0] ?? ""
  let query = top
  let explain = false
  if (tag === "ExplainStmt" && options.explain) {
    const inner = (top.ExplainStmt as Node).query
    if (!isNode(inner) || Object.keys(inner)[0] !== "SelectStmt") {
      return refused("parser", "EXPLAIN is allowed only of a SELECT")
    }
    query = inner
    explain = true
  } else if (tag !== "SelectStmt") {
    return refused(
      "parser",
      `${describeNode(tag)} is not allowed: only one SELECT (or WITH ... SELECT, VALUES) statement`
    )
  }
  const walk = new Walk(allow, known)
  try {
    walk.value(query, new Set())
  } catch (error) {
    if (error instanceof Refusal) return refused(error.layer, error.message)
    throw error
  }
  return Result.succeed({ explain, tables: [...walk.tables] })
}
