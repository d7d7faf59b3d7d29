import type { Pipeline, Principal } from "@bulwark/core"
import type { Server } from "@modelcontextprotocol/server"
import { serveStdio } from "@modelcontextprotocol/server/stdio"
import { Effect, type Scope } from "effect"
import { makeServerFactory, type ServerIdentity } from "../bridge/ServerFactory.ts"
import { ClientSinks } from "../notify/ClientSinks.ts"

/**
 * Serves the pipeline over this process's stdin/stdout until stdin closes. Nothing but protocol is written to stdout:
 * keep logs on stderr (the JSON logger does).
 */
export const serve = (
  identity: ServerIdentity,
  options: {
    /** Who the connection acts as: stdio has no authentication of its own, so it comes from configuration. */
    readonly principal?: Principal
  } = {}
): Effect.Effect<void, never, Pipeline.Pipeline | ClientSinks | Scope.Scope> =>
  Effect.gen(function* () {
    const factory = yield* makeServerFactory(identity)
    const runLog = Effect.runForkWith(yield* Effect.context<never>())
    const sinks = yield* ClientSinks
    const subscriptions = new Set<string>()
    const servers = new Set<Server>()
    const hooks = {
      subscribe: (uri: string) => void subscriptions.add(uri),
      unsubscribe: (uri: string) => void subscriptions.delete(uri)
    }
    yield* sinks.register({
      toolsChanged: () => servers.forEach((server) => void server.sendToolListChanged().catch(() => undefined)),
      resourcesChanged: () => servers.forEach((server) => void server.sendResourceListChanged().catch(() => undefined)),
      promptsChanged: () => servers.forEach((server) => void server.sendPromptListChanged().catch(() => undefined)),
      resourceUpdated: (uri) => {
        if (!subscriptions.has(uri)) return
        servers.forEach((server) => void server.sendResourceUpdated({ uri }).catch(() => undefined))
      }
    })
    const handle = yield* Effect.acquireRelease(
      Effect.sync(() =>
        serveStdio(
          (context) => {
            const server = factory(context, hooks, options.principal)
            if (context.era === "legacy") servers.add(server)
            return server
          },
          { onerror: (error) => runLog(Effect.logDebug("stdio transport reported", error.message)) }
        )
      ),
      (handle) => Effect.promise(() => handle.close())
    )
    void handle
    yield* Effect.callback<void>((resume) => {
      const done = () => resume(Effect.void)
      process.stdin.once("end", done)
      process.stdin.once("close", done)
      return Effect.sync(() => {
        process.stdin.off("end", done)
        process.stdin.off("close", done)
      })
    })
  })
