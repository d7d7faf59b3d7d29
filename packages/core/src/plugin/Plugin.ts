import { type Context, Effect, Layer, type Scope } from "effect"
import type { Prompt } from "../prompt/Prompt.ts"
import type { Resource } from "../resource/Resource.ts"
import type { Tool } from "../tool/Tool.ts"

/**
 * A plugin: a named set of tools, resources and prompts whose handlers need `R`.
 * Install it with its layer (which provides `R`, e.g. a database-backed repository) into any composition.
 */
export interface Plugin<R = never> {
  readonly name: string
  readonly version: string
  readonly description?: string
  readonly tools: ReadonlyArray<Tool<R>>
  readonly resources: ReadonlyArray<Resource<R>>
  readonly prompts: ReadonlyArray<Prompt<R>>
}

/** Declares a plugin. */
export const make = <R = never>(spec: {
  readonly name: string
  readonly version: string
  readonly description?: string
  readonly tools?: ReadonlyArray<Tool<R>>
  readonly resources?: ReadonlyArray<Resource<R>>
  readonly prompts?: ReadonlyArray<Prompt<R>>
}): Plugin<R> => ({
  ...spec,
  tools: spec.tools ?? [],
  resources: spec.resources ?? [],
  prompts: spec.prompts ?? []
})

/** What a plugin's handlers need, as a type. */
export type Requirements<P> = P extends Plugin<infer R> ? R : never

/** A plugin paired with the services its handlers run with. */
export interface Bound {
  readonly plugin: Plugin<unknown>
  readonly services: Context.Context<unknown>
}

/**
 * A plugin together with the layer that provides what its handlers need: the installable unit. Plugins with different
 * needs can be installed side by side; what remains is what their layers need (`RIn`, e.g. a SQL client).
 */
export interface Installed<E = never, RIn = never> {
  readonly name: string
  readonly bind: Effect.Effect<Bound, E, RIn | Scope.Scope>
}

/** Pairs a plugin with the layer that provides what its handlers need. */
export const install = <R, E, RIn>(plugin: Plugin<R>, layer: Layer.Layer<R, E, RIn>): Installed<E, RIn> => ({
  name: plugin.name,
  bind: Effect.map(Layer.build(layer), (services) => ({
    plugin: plugin as Plugin<unknown>,
    services: services as Context.Context<unknown>
  }))
})
