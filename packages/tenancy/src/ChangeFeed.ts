/**
 * How changes to tenants, kill switches and cached answers (invalidated tags) reach every instance: applied in this process at once, and sent to the
 * others through PostgreSQL `NOTIFY` (`"notify"` mode, a real server). The embedded database has one connection, which
 * a `LISTEN` would hold forever, and only one process can own its data dir, so there (`"local"` mode) delivery is local.
 * Either way a `Resync` goes out periodically (and after each reconnection of the listener), so a missed notification
 * is made up for.
 *
 * @since 0.1.0
 */
import type { DatabaseConfig } from "@bulwark/database"
import { PgClient } from "@effect/sql-pg"
import { Context, Deferred, type Duration, Effect, Layer, Queue, Schema, type Scope } from "effect"
import { supervise } from "./Supervisor.ts"

/** A tenant's configuration changed (created, updated or disabled). */
export const TenantChanged = Schema.TaggedStruct("TenantChanged", { tenantId: Schema.String })

/** A kill switch was set or cleared. */
export const SwitchesChanged = Schema.TaggedStruct("SwitchesChanged", {})

/** Reload everything held in memory (sent periodically and after a reconnection). */
export const Resync = Schema.TaggedStruct("Resync", {})

/** A write invalidated cache tags of a tenant: every instance drops the answers that depend on them. */
export const CacheInvalidated = Schema.TaggedStruct("CacheInvalidated", {
  tenantId: Schema.String,
  tags: Schema.Array(Schema.String)
})

/** One change announcement. It only says what to reload (or drop): receivers read the state from PostgreSQL. */
export const Change = Schema.Union([TenantChanged, SwitchesChanged, Resync, CacheInvalidated])

/** A decoded change announcement. */
export type Change = typeof Change.Type

/** Reacts to a change; failures are logged by the feed, never propagated. */
export type ChangeHandler = (change: Change) => Effect.Effect<void>

/** `"notify"`: PostgreSQL LISTEN/NOTIFY between instances. `"local"`: this process only (embedded PostgreSQL). */
export type PropagationMode = "notify" | "local"

/** The change feed. */
export interface ChangeFeedShape {
  readonly mode: PropagationMode
  /** Announces a committed change: runs this process's handlers now, and tells the other instances. */
  readonly publish: (change: Change) => Effect.Effect<void>
  /** Runs `handler` on every change, local or remote, for the life of the scope. */
  readonly subscribe: (handler: ChangeHandler) => Effect.Effect<void, never, Scope.Scope>
}

/** Delivers tenant and kill-switch changes to every instance. */
export class ChangeFeed extends Context.Service<ChangeFeed, ChangeFeedShape>()("@bulwark/tenancy/ChangeFeed") {}

/** The PostgreSQL notification channel. */
export const channel = "bulwark_tenancy"

/** Settings of the feed. */
export interface ChangeFeedOptions {
  /** How often everything is reloaded regardless (default 30 s). */
  readonly resyncInterval?: Duration.Input
  /** How long building the layer waits for `LISTEN` to be confirmed (default 10 s). */
  readonly listenTimeout?: Duration.Input
}

const Envelope = Schema.Struct({ from: Schema.String, change: Change })
const decodeEnvelope = Schema.decodeUnknownEffect(Schema.fromJsonString(Envelope))
const encodeEnvelope = Schema.encodeSync(Schema.fromJsonString(Envelope))

const makeHub = Effect.gen(function* () {
  const handlers = new Set<ChangeHandler>()
  const deliver = (change: Change): Effect.Effect<void> =>
    Effect.forEach(
      [...handlers],
      (handler) =>
        Effect.catchCause(handler(change), (cause) => Effect.logError(`handling ${change._tag} failed`, cause)),
      { discard: true }
    )
  const subscribe = (handler: ChangeHandler) =>
    Effect.acquireRelease(
      Effect.sync(() => handlers.add(handler)),
      () => Effect.sync(() => handlers.delete(handler))
    ).pipe(Effect.asVoid)
  return { deliver, subscribe }
})

const resyncLoop = (deliver: (change: Change) => Effect.Effect<void>, options: ChangeFeedOptions) =>
  Effect.sleep(options.resyncInterval ?? "30 seconds").pipe(
    Effect.andThen(deliver({ _tag: "Resync" })),
    Effect.forever,
    Effect.forkScoped
  )

/** This process only: for the embedded database (one connection, one process). */
export const layerLocal = (options: ChangeFeedOptions = {}): Layer.Layer<ChangeFeed> =>
  Layer.effect(
    ChangeFeed,
    Effect.gen(function* () {
      const hub = yield* makeHub
      yield* resyncLoop(hub.deliver, options)
      return ChangeFeed.of({ mode: "local", publish: hub.deliver, subscribe: hub.subscribe })
    })
  )

/**
 * Between instances through PostgreSQL `LISTEN`/`NOTIFY` on {@link channel}: the listener holds one pooled connection,
 * is supervised (restarted with backoff after a lost connection) and resyncs after each (re)connection. Building the
 * layer waits until `LISTEN` is confirmed, so nothing committed after it is missed.
 */
export const layerNotify = (options: ChangeFeedOptions = {}): Layer.Layer<ChangeFeed, never, PgClient.PgClient> =>
  Layer.effect(
    ChangeFeed,
    Effect.gen(function* () {
      const pg = yield* PgClient.PgClient
      const instance = crypto.randomUUID()
      const hub = yield* makeHub
      const listening = yield* Deferred.make<void>()
      const listen = Effect.scoped(
        Effect.gen(function* () {
          const queue = yield* pg.listen(channel)
          yield* Deferred.succeed(listening, undefined)
          yield* hub.deliver({ _tag: "Resync" })
          while (true) {
            const notification = yield* Queue.take(queue)
            const envelope = yield* decodeEnvelope(notification.payload).pipe(
              Effect.tapError((error) => Effect.logWarning(`ignoring a malformed ${channel} notification`, error)),
              Effect.option
            )
            if (envelope._tag === "Some" && envelope.value.from !== instance) yield* hub.deliver(envelope.value.change)
          }
        })
      )
      yield* Effect.forkScoped(supervise(listen, { task: "change-feed listener" }))
      yield* Deferred.await(listening).pipe(
        Effect.timeoutOrElse({
          duration: options.listenTimeout ?? "10 seconds",
          orElse: () => Effect.logWarning(`LISTEN ${channel} not confirmed yet; changes of other instances may lag`)
        })
      )
      yield* resyncLoop(hub.deliver, options)
      const publish = (change: Change) =>
        pg.notify(channel, encodeEnvelope({ from: instance, change })).pipe(
          Effect.catch((error) =>
            Effect.logWarning(`NOTIFY ${channel} failed; other instances catch up at the next resync`, error)
          ),
          Effect.andThen(hub.deliver(change))
        )
      return ChangeFeed.of({ mode: "notify", publish, subscribe: hub.subscribe })
    })
  )

/** The mode a database configuration calls for: `"notify"` with an external PostgreSQL, `"local"` when embedded. */
export const modeFor = (database: DatabaseConfig): PropagationMode => (database.url === undefined ? "local" : "notify")

/** The feed for a mode. */
export const layer = (
  mode: PropagationMode,
  options: ChangeFeedOptions = {}
): Layer.Layer<ChangeFeed, never, PgClient.PgClient> => (mode === "notify" ? layerNotify(options) : layerLocal(options))
