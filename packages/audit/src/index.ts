/**
 * `@bulwark/audit`: one tamper-evident audit record per MCP request, written to PostgreSQL in batches off the
 * request path and to the JSON log, never dropped.
 *
 * @since 0.1.0
 */

/** The settings (an Effect Schema) and their defaults. */
export { AuditConfig, defaultAuditConfig, maxBatchSize } from "./AuditConfig.ts"
/** The audit log service (`AuditLog.layer(config)`) and its constructor for a scope of your own. */
export { AuditLog, type AuditLogShape, make as makeAuditLog } from "./AuditLog.ts"
/** `bulwark_audit_backlog`, `bulwark_audit_records_written_total`, `bulwark_audit_write_failures_total`. */
export * as AuditMetrics from "./AuditMetrics.ts"
/** What a record holds. */
export {
  type AuditOutcome,
  type AuditPrincipal,
  type AuditRecord,
  isOutcome,
  type JsonValue,
  outcomes,
  type StoredAuditRecord,
  toJson as auditRecordToJson
} from "./AuditRecord.ts"
/** `AuditStage.make`: the pipeline's audit stage (`observe` phase). */
export * as AuditStage from "./AuditStage.ts"
/** The canonical JSON the chain hashes. */
export { canonicalJson } from "./CanonicalJson.ts"
/** The hash chain's formula (`GENESIS`, `hashRecord`), for independent verification. */
export * as Chain from "./Chain.ts"
/** The audit CLI, runnable as a function too. */
export { ExitCode, runCli } from "./cli/runCli.ts"
/** Auditing exchanges that ended at the edge: `layerEdgeExchanges` implements core's `EdgeExchanges` port. */
export { edgeRecord, layerEdgeExchanges, recordEdgeExchange } from "./EdgeExchange.ts"
/** The typed failures. */
export { AuditQueryInvalid } from "./Errors.ts"
/** The audit table's migrations (owner "audit"). */
export { auditMigrations, owner as migrationsOwner, table as auditTable } from "./migrations.ts"
/** The admin query: newest first, filtered, cursor-paged. */
export { type AuditPage, type AuditQuery, maxLimit as maxQueryLimit, query } from "./query.ts"
/** Recomputing the chain. */
export { type ChainBreak, type ChainReport, type VerifyOptions, verifyChain } from "./verifyChain.ts"
