import { DEFAULT_TENANT, Plugin } from "@bulwark/core"
import { seedDemoData, TicketsLive, TicketsPlugin } from "@bulwark/plugin-tickets"
import { Layer } from "effect"
import type { ServerConfig } from "../config/ServerConfig.ts"

/** The plugins the configuration enables, each with the layer its handlers need. */
export const enabledPlugins = (config: ServerConfig) => {
  const tickets = config.plugins.tickets
  const ticketsLayer = tickets.seedDemoData
    ? Layer.provideMerge(Layer.effectDiscard(seedDemoData(DEFAULT_TENANT)), TicketsLive)
    : TicketsLive
  return tickets.enabled ? [Plugin.install(TicketsPlugin, ticketsLayer)] : []
}
