/**
 * PostgreSQL's own parser (libpg_query, compiled to WebAssembly by `libpg-query`): the parse tree the guard walks is
 * the one the server itself would build, so comments, dollar quotes, Unicode escapes and stacked statements mean to
 * the guard exactly what they mean to PostgreSQL. The WebAssembly module loads once, on first use (importing
 * `libpg-query` instantiates it, reserving a 128 MiB memory and compiling 1.1 MB of WebAssembly, so a server whose
 * plugin serves no database never imports it); parsing is synchronous after.
 */

import { Effect, Result } from "effect"

/** One statement of a parse tree: its node (`{ SelectStmt: {...} }`), as libpg_query's JSON has it. */
export interface RawStatement {
  readonly stmt: Readonly<Record<string, unknown>>
}

/** Parses SQL into its statements, or says why PostgreSQL's grammar refuses it. */
export type SqlParser = (sql: string) => Result.Result<ReadonlyArray<RawStatement>, string>

let loaded: Promise<typeof import("libpg-query")> | undefined

/** The parser, once its WebAssembly module is loaded (loaded once per process). */
export const sqlParser: Effect.Effect<SqlParser> = Effect.promise(() => {
  loaded ??= import("libpg-query").then(async (module) => {
    await module.loadModule()
    return module
  })
  return loaded
}).pipe(
  Effect.map(({ parseSync }) => (sql: string) => {
    try {
      const tree = parseSync(sql) as { readonly stmts?: ReadonlyArray<RawStatement> }
      return Result.succeed(tree.stmts ?? [])
    } catch (error) {
      return Result.fail(error instanceof Error ? error.message : String(error))
    }
  })
)

/** Whether SQL the plugin composed parses as exactly one statement of kind `tag` (e.g. `DeclareCursorStmt`). */
export const isOnly = (parse: SqlParser, sql: string, tag: string): boolean => {
  const parsed = parse(sql)
  return Result.isSuccess(parsed) && parsed.success.length === 1 && tag in parsed.success[0]!.stmt
}
