/**
 * Plugins: a named set of tools, resources and prompts whose handlers need `R`, and the ways to install one. A
 * plugin is a value; `install(plugin, layer)` pairs it with the layer that provides what its handlers need, and
 * `configurable(plugin, { config, layer })` makes an installable whose layer is built from a configuration the
 * plugin declares as an Effect Schema, so that a server decodes `plugins.<name>` with the plugin's own schema. A
 * package or file whose default export is either form can be installed into the bundled server by name.
 */
import { type Context, Effect, Layer, Predicate, Schema, type Scope } from "effect"
import type { Declaration } from "../backend/Backend.ts"
import type { Prompt } from "../prompt/Prompt.ts"
import type { Resource } from "../resource/Resource.ts"
import type { Tool } from "../tool/Tool.ts"

/** A named set of tools, resources and prompts whose handlers need `R`. */
export interface Plugin<R = never> {
  readonly name: string
  readonly version: string
  readonly description?: string
  readonly tools: ReadonlyArray<Tool<R>>
  readonly resources: ReadonlyArray<Resource<R>>
  readonly prompts: ReadonlyArray<Prompt<R>>
  /** The backends its handlers call, each with the policy its calls run under (see `Backend.ts`). */
  readonly backends: ReadonlyArray<Declaration<R>>
}

/** Declares a plugin. */
export const make = <R = never>(spec: {
  readonly name: string
  readonly version: string
  readonly description?: string
  readonly tools?: ReadonlyArray<Tool<R>>
  readonly resources?: ReadonlyArray<Resource<R>>
  readonly prompts?: ReadonlyArray<Prompt<R>>
  readonly backends?: ReadonlyArray<Declaration<R>>
}): Plugin<R> => ({
  ...spec,
  tools: spec.tools ?? [],
  resources: spec.resources ?? [],
  prompts: spec.prompts ?? [],
  backends: spec.backends ?? []
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
  readonly _tag: "Installed"
  readonly name: string
  readonly bind: Effect.Effect<Bound, E, RIn | Scope.Scope>
}

/** Pairs a plugin with the layer that provides what its handlers need. */
export const install = <R, E, RIn>(plugin: Plugin<R>, layer: Layer.Layer<R, E, RIn>): Installed<E, RIn> => ({
  _tag: "Installed",
  name: plugin.name,
  bind: Effect.map(Layer.build(layer), (services) => ({
    plugin: plugin as Plugin<unknown>,
    services: services as Context.Context<unknown>
  }))
})

/**
 * A plugin that is installed from a configuration it declares: the server decodes the plugin's section of its
 * configuration (`plugins.<name>`) with `config` and installs the plugin with the layer built from the result.
 */
export interface Configurable<C = unknown, E = unknown, RIn = unknown> {
  readonly _tag: "Configurable"
  readonly name: string
  /** The plugin's configuration; every key should have a default, so that an absent section means the defaults. */
  readonly config: Schema.Codec<C, unknown>
  /** Installs the plugin with its decoded configuration (a method: any configuration type fits `Installable`). */
  install(config: C): Installed<E, RIn>
}

/** Makes a plugin configurable: `layer` builds what its handlers need from its decoded configuration. */
export const configurable = <R, S extends Schema.Top, E, RIn>(
  plugin: Plugin<R>,
  options: { readonly config: S; readonly layer: (config: S["Type"]) => Layer.Layer<R, E, RIn> }
): Configurable<S["Type"], E, RIn> => ({
  _tag: "Configurable",
  name: plugin.name,
  config: options.config as unknown as Schema.Codec<S["Type"], unknown>,
  install: (config) => install(plugin, options.layer(config))
})

/** A plugin as a package or file exports it for a server to install: with or without configuration. */
export type Installable<E = unknown, RIn = unknown> = Installed<E, RIn> | Configurable<unknown, E, RIn>

/** The configuration of an installable that declares none: an empty object, with no key accepted. */
export const noConfig: Schema.Codec<{}, unknown> = Schema.Struct({}) as unknown as Schema.Codec<{}, unknown>

/** Tells whether a value (e.g. a module's default export) is an installable plugin. */
export const isInstallable = (u: unknown): u is Installable =>
  Predicate.isObject(u) &&
  "name" in u &&
  typeof u.name === "string" &&
  (("_tag" in u && u._tag === "Installed" && "bind" in u && Effect.isEffect(u.bind)) ||
    ("_tag" in u && u._tag === "Configurable" && "install" in u && typeof u.install === "function"))

/** The configuration schema of an installable (`noConfig` for one installed with a fixed layer). */
export const configOf = (installable: Installable): Schema.Codec<unknown, unknown> =>
  installable._tag === "Configurable" ? installable.config : (noConfig as Schema.Codec<unknown, unknown>)

/** Installs an installable with its decoded configuration. */
export const installWith = <E, RIn>(installable: Installable<E, RIn>, config: unknown): Installed<E, RIn> =>
  installable._tag === "Configurable" ? installable.install(config) : installable
