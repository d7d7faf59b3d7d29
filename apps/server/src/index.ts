/**
 * @bulwark/server: the bundled Bulwark server as a library, for running it from your own entry point.
 */
export * as BulwarkServer from "./compose/BulwarkServer.ts"
export { ConfigInvalid } from "./config/ConfigInvalid.ts"
export { type ConfigSources, loadConfig } from "./config/loadConfig.ts"
export { ServerConfig } from "./config/ServerConfig.ts"
