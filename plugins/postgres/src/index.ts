/**
 * `@bulwark/plugin-postgres`: read-only SQL over your PostgreSQL databases for agents (see README.md).
 */
export { PostgresConfig, TargetDatabaseConfig, TenantAccess } from "./config/PostgresConfig.ts"
export { QueryFailed, QueryRefused, UnknownDatabase, UnknownTable } from "./Errors.ts"
export type { AllowList, KnownRelations } from "./guard/AllowList.ts"
export { type CheckedQuery, checkQuery } from "./guard/SqlGuard.ts"
export { type SqlParser, sqlParser } from "./guard/SqlParser.ts"
export {
  allDefences,
  allowListOf,
  type Defences,
  layer,
  PostgresDatabases,
  type QueryMode,
  type RanQuery
} from "./PostgresDatabases.ts"
export { install, makePlugin, Postgres, Postgres as default } from "./PostgresPlugin.ts"
export { readerRole, sampleSchema, statementsOf } from "./sample/sampleData.ts"
export type { QueryResult } from "./target/TargetDatabase.ts"
export { TargetUnreachable, UnsafeRole } from "./target/UnsafeRole.ts"
export { backendName } from "./tools/databaseTools.ts"
