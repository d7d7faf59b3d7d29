import { watch } from "node:fs"
import { basename, dirname, resolve } from "node:path"
import { Effect, Layer, Queue, Stream } from "effect"
import { type ConfigSources, loadConfig } from "../config/loadConfig.ts"
import { syncTenants } from "./tenants.ts"

/**
 * Applies tenant changes from the configuration file to the running server without a restart: on SIGHUP, and when
 * the file changes. A file that no longer decodes is reported and ignored: the running configuration stays.
 * (Other settings, such as ports or the database, need a restart.)
 */
export const configReload = (sources: ConfigSources) =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      const triggers = yield* Queue.sliding<string>(1)
      const onSignal = () => Queue.offerUnsafe(triggers, "SIGHUP")
      yield* Effect.acquireRelease(
        Effect.sync(() => process.on("SIGHUP", onSignal)),
        () => Effect.sync(() => process.off("SIGHUP", onSignal))
      )
      const file = sources.file
      if (file !== undefined) {
        // Watch the folder, not the file: editors and ConfigMap updates replace the file (a new inode), which a
        // watcher on the file itself would stop seeing after the first save.
        const name = basename(file)
        yield* Effect.acquireRelease(
          Effect.sync(() =>
            watch(dirname(resolve(file)), { persistent: false }, (_event, changed) => {
              if (changed === null || changed === name) Queue.offerUnsafe(triggers, "file change")
            })
          ),
          (watcher) => Effect.sync(() => watcher.close())
        )
      }
      const reload = (trigger: string) =>
        loadConfig(sources).pipe(
          Effect.flatMap((config) => syncTenants(config)),
          Effect.tap(() => Effect.logInfo(`configuration reloaded (${trigger})`)),
          Effect.catch((error) =>
            Effect.logWarning(`configuration not reloaded (${trigger}): ${error.message}; keeping the running one`)
          )
        )
      yield* Stream.fromQueue(triggers).pipe(
        // Editors write a file in several steps: wait for it to settle.
        Stream.debounce("200 millis"),
        Stream.runForEach(reload),
        Effect.forkScoped
      )
    })
  )
