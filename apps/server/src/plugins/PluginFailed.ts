/**
 * A plugin whose layer could not be built at start (its migrations failed, a service it needs is missing, ...): the
 * server stops and says which plugin and why.
 */
import type { Installed } from "@bulwark/core"
import { Data, Effect } from "effect"

/** The plugin `plugin` could not start. */
export class PluginFailed extends Data.TaggedError("PluginFailed")<{
  readonly plugin: string
  readonly cause: unknown
}> {
  override get message() {
    const reason = this.cause instanceof Error ? this.cause.message : String(this.cause)
    return `plugin "${this.plugin}" could not start: ${reason}`
  }
}

/** The installed plugin with any failure of its layer named as this plugin's. */
export const naming = <E, RIn>(installed: Installed<E, RIn>): Installed<PluginFailed, RIn> => ({
  ...installed,
  bind: Effect.mapError(installed.bind, (cause) => new PluginFailed({ plugin: installed.name, cause }))
})
