import { join } from "node:path"
import type { DatabaseConfig } from "@bulwark/database"
import type { ServerConfig } from "../config/ServerConfig.ts"

/** The database settings with the embedded data directory placed under the server's data directory by default. */
export const databaseConfig = (config: ServerConfig, options: { readonly inMemory?: boolean } = {}): DatabaseConfig => {
  const embedded = config.database.embedded ?? {}
  return {
    ...config.database,
    embedded: {
      ...embedded,
      dataDir: embedded.dataDir ?? join(config.dataDir, "pglite"),
      ...(options.inMemory ? { inMemory: true } : {})
    }
  }
}
