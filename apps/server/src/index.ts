/**
 * `@bulwark/server`: the production composition (`BulwarkServer`) and its configuration, for running the bundled
 * server from your own entry point or composing your own server, with your plugins, from the same layers.
 */
export * as BulwarkServer from "./compose/BulwarkServer.ts"
export { nodeFlags } from "./compose/nodeFlags.ts"
export { ConfigInvalid } from "./config/ConfigInvalid.ts"
export { type ConfigSources, decodeConfig, type LoadOptions, loadConfig } from "./config/loadConfig.ts"
export { ServerConfig, type ServerConfigFile } from "./config/ServerConfig.ts"
export { PluginFailed } from "./plugins/PluginFailed.ts"
export { bundledPlugins, type EnabledPlugin } from "./plugins/PluginSettings.ts"
