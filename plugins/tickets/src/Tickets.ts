/**
 * The tickets plugin as a server installs it: its configuration (`plugins.tickets` in the bundled server's file) and
 * the layer built from it. `seedDemoData` puts a few demo users into an empty default tenant, so that a fresh server
 * has something to show.
 */
import { DEFAULT_TENANT, Plugin, withDefault } from "@bulwark/core"
import { Layer, Schema } from "effect"
import { seedDemoData } from "./seed/seedDemoData.ts"
import { TicketsLive } from "./TicketsLive.ts"
import { TicketsPlugin } from "./TicketsPlugin.ts"

/** The plugin's configuration. */
export const TicketsConfig = Schema.Struct({
  /** Inserts a few demo users into an empty default tenant. */
  seedDemoData: withDefault(Schema.Boolean, true)
})

/** The decoded configuration. */
export type TicketsConfig = typeof TicketsConfig.Type

/** Everything the handlers need for a configuration, on the app's `SqlClient`. */
export const layer = (config: TicketsConfig) =>
  config.seedDemoData ? Layer.provideMerge(Layer.effectDiscard(seedDemoData(DEFAULT_TENANT)), TicketsLive) : TicketsLive

/** The installable tickets plugin: `plugins.tickets` decodes with `TicketsConfig`. */
export const Tickets = Plugin.configurable(TicketsPlugin, { config: TicketsConfig, layer })
