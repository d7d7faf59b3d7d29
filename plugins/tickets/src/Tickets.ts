/**
 * The tickets plugin as a server installs it: its configuration (`plugins.tickets` in the bundled server's file) and
 * the layer built from it. `seedDemoData` puts a few demo users into the default tenant (or the tenants it lists)
 * while it has none, so that a fresh server has something to show.
 */
import { DEFAULT_TENANT, Plugin, withDefault } from "@bulwark/core"
import { Effect, Layer, Schema } from "effect"
import { seedDemoData } from "./seed/seedDemoData.ts"
import { TicketsLive } from "./TicketsLive.ts"
import { TicketsPlugin } from "./TicketsPlugin.ts"

/** The plugin's configuration. */
export const TicketsConfig = Schema.Struct({
  /** Inserts a few demo users into the default tenant (`true`) or into each tenant listed, while it has no users. */
  seedDemoData: withDefault(Schema.Union([Schema.Boolean, Schema.Array(Schema.NonEmptyString)]), true)
})

/** The decoded configuration. */
export type TicketsConfig = typeof TicketsConfig.Type

/** Everything the handlers need for a configuration, on the app's `SqlClient`. */
export const layer = (config: TicketsConfig) => {
  const tenants =
    config.seedDemoData === true ? [DEFAULT_TENANT] : config.seedDemoData === false ? [] : config.seedDemoData
  return tenants.length === 0
    ? TicketsLive
    : Layer.provideMerge(Layer.effectDiscard(Effect.forEach(tenants, seedDemoData, { discard: true })), TicketsLive)
}

/** The installable tickets plugin: `plugins.tickets` decodes with `TicketsConfig`. */
export const Tickets = Plugin.configurable(TicketsPlugin, { config: TicketsConfig, layer })
