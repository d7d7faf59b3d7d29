/**
 * `@bulwark/database/testing`: fresh PostgreSQL databases for tests that use the real server.
 */
export { adminUrl, dropDatabase, TestDatabase } from "./TestDatabase.ts"
