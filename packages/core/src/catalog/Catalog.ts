/**
 * The catalog: everything the server offers, compiled once at start-up from the installed plugins. It answers
 * lookups by name, holds the listings clients receive, and knows every backend with its policy (so that calls to it
 * run under it, and an operator's kill switch can be checked against them). What the server announces as capabilities is decided by the
 * pipeline's methods, not here.
 */
import { Context, Effect, Layer } from "effect"
import * as Backend from "../backend/Backend.ts"
import type { Bound, Installed, Plugin } from "../plugin/Plugin.ts"
import { CatalogConflict } from "./CatalogConflict.ts"
import { CatalogInvalid } from "./CatalogInvalid.ts"
import { type CompiledPrompt, compilePrompt } from "./CompiledPrompt.ts"
import {
  type CompiledStaticResource,
  type CompiledTemplate,
  compileStatic,
  compileTemplate
} from "./CompiledResource.ts"
import { type CompiledTool, compileTool } from "./CompiledTool.ts"
import { provideServices } from "./provideServices.ts"

/** Everything the server offers. */
export interface CatalogShape {
  readonly plugins: ReadonlyArray<{ readonly name: string; readonly version: string }>
  readonly tools: ReadonlyMap<string, CompiledTool>
  readonly resources: ReadonlyMap<string, CompiledStaticResource>
  readonly templates: ReadonlyArray<CompiledTemplate>
  readonly prompts: ReadonlyMap<string, CompiledPrompt>
  /** Every backend a plugin declares or some tool, resource or prompt names. */
  readonly backends: ReadonlySet<string>
  /** Each backend's policy: its plugin's declaration, or the default for a backend only named. */
  readonly backendPolicies: ReadonlyMap<string, Backend.CompiledBackend>
}

/** The compiled set of tools, resources and prompts a server serves. */
export class Catalog extends Context.Service<Catalog, CatalogShape>()("@bulwark/core/Catalog") {}

const claim = <T extends { readonly plugin: string }>(
  into: Map<string, T>,
  kind: CatalogConflict["kind"],
  key: string,
  value: T
): Effect.Effect<void, CatalogConflict> => {
  const existing = into.get(key)
  if (existing !== undefined) {
    return Effect.fail(new CatalogConflict({ kind, name: key, plugins: [existing.plugin, value.plugin] }))
  }
  into.set(key, value)
  return Effect.void
}

/** Compiles plugins into a catalog; their handlers get the services of `R` from the current context. */
export const make = <R>(
  plugins: ReadonlyArray<Plugin<R>>
): Effect.Effect<CatalogShape, CatalogConflict | CatalogInvalid, R> =>
  Effect.flatMap(Effect.context<R>(), (services) =>
    compile(
      plugins.map((plugin) => ({ plugin: plugin as Plugin<unknown>, services: services as Context.Context<unknown> }))
    )
  )

/** Compiles plugins, each with its own services, into a catalog. */
export const compile = (bound: ReadonlyArray<Bound>): Effect.Effect<CatalogShape, CatalogConflict | CatalogInvalid> =>
  Effect.gen(function* () {
    const tools = new Map<string, CompiledTool>()
    const resources = new Map<string, CompiledStaticResource>()
    const templates = new Map<string, CompiledTemplate>()
    const prompts = new Map<string, CompiledPrompt>()
    for (const { plugin, services } of bound) {
      for (const tool of plugin.tools) {
        if (tool.spec.cache !== undefined && tool.spec.hints?.readOnly !== true) {
          return yield* new CatalogInvalid({
            plugin: plugin.name,
            item: `tool "${tool.name}"`,
            problem: "declares a cache policy but does not only read (hints.readOnly): only reads may be cached"
          })
        }
        yield* claim(tools, "tool", tool.name, compileTool(plugin.name, tool, services))
      }
      for (const resource of plugin.resources) {
        if (resource._tag === "StaticResource") {
          yield* claim(resources, "resource", resource.uri, compileStatic(plugin.name, resource, services))
        } else {
          yield* claim(
            templates,
            "resource template",
            resource.uriTemplate,
            compileTemplate(plugin.name, resource, services)
          )
        }
      }
      for (const prompt of plugin.prompts) {
        yield* claim(prompts, "prompt", prompt.name, compilePrompt(plugin.name, prompt, services))
      }
    }
    // Every backend has a policy: the one its plugin declared, or the default for one only named.
    const policies = new Map<string, Backend.CompiledBackend>()
    for (const { plugin, services } of bound) {
      for (const declared of plugin.backends ?? []) {
        const probe = declared.policy.probe?.check.pipe(provideServices(services))
        yield* claim(policies, "backend", declared.name, {
          name: declared.name,
          plugin: plugin.name,
          policy: Backend.resolve(declared.policy as Backend.BackendPolicy<unknown>, probe)
        })
      }
    }
    for (const item of [...tools.values(), ...resources.values(), ...templates.values(), ...prompts.values()]) {
      for (const backend of item.backends) {
        if (!policies.has(backend)) {
          policies.set(backend, { name: backend, plugin: item.plugin, policy: Backend.resolve({}) })
        }
      }
    }
    return {
      plugins: bound.map(({ plugin }) => ({ name: plugin.name, version: plugin.version })),
      tools,
      resources,
      templates: [...templates.values()],
      prompts,
      backends: new Set(policies.keys()),
      backendPolicies: policies
    }
  })

/** Provides the catalog compiled from installed plugins, building each plugin's layer for the life of this one. */
export const layerInstalled = <E, RIn>(
  installed: ReadonlyArray<Installed<E, RIn>>,
  options: {
    /**
     * Plugins installed only when a tool of the others runs as a task (e.g. the job tools, which let 2025 clients
     * follow those tasks); left out otherwise, so that a server without tasks lists none of their tools.
     */
    readonly forTasks?: ReadonlyArray<Installed<E, RIn>>
  } = {}
): Layer.Layer<Catalog, CatalogConflict | CatalogInvalid | E, RIn> =>
  Layer.effect(
    Catalog,
    Effect.gen(function* () {
      const bound = yield* Effect.forEach(installed, (entry) => entry.bind)
      const tasks = bound.some(({ plugin }) => plugin.tools.some((tool) => tool.spec.task !== undefined))
      const companions = tasks ? yield* Effect.forEach(options.forTasks ?? [], (entry) => entry.bind) : []
      return yield* compile([...bound, ...companions])
    })
  )

/** Provides the catalog compiled from these plugins. */
export const layer = <R>(
  plugins: ReadonlyArray<Plugin<R>>
): Layer.Layer<Catalog, CatalogConflict | CatalogInvalid, R> => Layer.effect(Catalog, make(plugins))
