/**
 * `@bulwark/database/testing`: what tests that use a real PostgreSQL share: fresh databases on the shared server,
 * a disposable server of the test's own (to stop and start), and free ports.
 */
export { DisposablePostgres } from "./DisposablePostgres.ts"
export { createDatabase, dropDatabases, type FreshDatabase, query } from "./FreshDatabases.ts"
export { freePort } from "./freePort.ts"
export { adminUrl, appDatabase, dropDatabase, TestDatabase } from "./TestDatabase.ts"
