/**
 * Kill switches: the operator's manual override. A switch turns off a tool, a plugin (all its tools, resources and
 * prompts), a backend (by name) or a whole tenant, at once. Switches are stored in PostgreSQL (`tenancy_switches`),
 * so they survive restarts, and announced on the {@link ChangeFeed}, so every instance applies them within a second.
 * Each request is checked against the in-memory copy; nothing is read from the database per request.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Schema, Semaphore } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import { ChangeFeed } from "./ChangeFeed.ts"
import { TenancyStoreError } from "./Errors.ts"

/** What a switch turns off. */
export const SwitchKind = Schema.Literals(["tool", "plugin", "backend", "tenant"])

/** What a switch turns off: a tool, a plugin, a backend or a tenant (by name or id). */
export type SwitchKind = typeof SwitchKind.Type

/** A switch that is set. */
export interface KillSwitch {
  readonly kind: SwitchKind
  readonly target: string
  readonly reason: string
  /** Who set it (the operator or system, as the admin API names it). */
  readonly actor: string
  readonly since: Date
}

/** What `set` or `clear` did, as a value the app records in its audit log. */
export interface SwitchChange {
  readonly _tag: "SwitchChange"
  readonly action: "set" | "cleared" | "unchanged"
  readonly kind: SwitchKind
  readonly target: string
  /** Who made this change. */
  readonly actor: string
  /** The reason given when setting. */
  readonly reason: string | undefined
  /** The switch as it was before this change, if it was set. */
  readonly previous: KillSwitch | undefined
  readonly at: Date
}

/** The switches in force in this process, at one moment. */
export interface SwitchSnapshot {
  readonly find: (kind: SwitchKind, target: string) => KillSwitch | undefined
  readonly isOff: (kind: SwitchKind, target: string) => boolean
  readonly all: ReadonlyArray<KillSwitch>
}

/** The kill switches. */
export interface SwitchesShape {
  /** Sets (or re-words) a switch. */
  readonly set: (input: {
    readonly kind: SwitchKind
    readonly target: string
    readonly reason: string
    readonly actor: string
  }) => Effect.Effect<SwitchChange, TenancyStoreError>
  /** Clears a switch; `unchanged` when it was not set. */
  readonly clear: (input: {
    readonly kind: SwitchKind
    readonly target: string
    readonly actor: string
  }) => Effect.Effect<SwitchChange, TenancyStoreError>
  /** The switches stored in PostgreSQL. */
  readonly list: Effect.Effect<ReadonlyArray<KillSwitch>, TenancyStoreError>
  /** The switches this process enforces now. */
  readonly current: Effect.Effect<SwitchSnapshot>
  /** The same, read at once (the request path's way). */
  readonly currentUnsafe: () => SwitchSnapshot
  /** Re-reads the switches from PostgreSQL (done on every change announcement and resync). */
  readonly reload: Effect.Effect<void, TenancyStoreError>
}

/** Kill switches in PostgreSQL, enforced from memory. */
export class Switches extends Context.Service<Switches, SwitchesShape>()("@bulwark/tenancy/Switches") {}

interface Row {
  readonly kind: string
  readonly target: string
  readonly reason: string
  readonly actor: string
  readonly since: Date | string
}

const toSwitch = (row: Row): KillSwitch => ({
  kind: row.kind as SwitchKind,
  target: row.target,
  reason: row.reason,
  actor: row.actor,
  since: new Date(row.since)
})

/**
 * A snapshot over a set of switches. Asked several times a request (the tenant, the tool, its plugin and backends):
 * by kind, then target, with no key made per question, and at once when no switch of the kind is set.
 */
export const snapshotOf = (switches: Iterable<KillSwitch>): SwitchSnapshot => {
  const byKind = new Map<SwitchKind, Map<string, KillSwitch>>()
  for (const s of switches) {
    const targets = byKind.get(s.kind) ?? new Map<string, KillSwitch>()
    targets.set(s.target, s)
    byKind.set(s.kind, targets)
  }
  const all = [...byKind.values()].flatMap((targets) => [...targets.values()])
  return {
    find: (kind, target) => byKind.get(kind)?.get(target),
    isOff: (kind, target) => byKind.get(kind)?.has(target) === true,
    all
  }
}

const storeError =
  (operation: string) =>
  (cause: SqlError): TenancyStoreError =>
    new TenancyStoreError({ operation, cause })

/** Builds the switches: loads them, and follows the change feed for the life of the scope. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient
  const feed = yield* ChangeFeed
  const lock = yield* Semaphore.make(1)
  let snapshot = snapshotOf([])

  const list = sql<Row>`SELECT kind, target, reason, actor, since FROM tenancy_switches ORDER BY kind, target`.pipe(
    Effect.map((rows) => rows.map(toSwitch)),
    Effect.catchTag("SqlError", (error) => Effect.fail(storeError("read kill switches")(error)))
  )

  // Reads and stores under one lock, so that a slow reload can never put back an older state.
  const reload = lock.withPermit(
    Effect.map(list, (switches) => {
      snapshot = snapshotOf(switches)
    })
  )

  const applyLocally = (update: (all: ReadonlyArray<KillSwitch>) => ReadonlyArray<KillSwitch>) =>
    lock.withPermit(
      Effect.sync(() => {
        snapshot = snapshotOf(update(snapshot.all))
      })
    )

  const set: SwitchesShape["set"] = (input) =>
    Effect.gen(function* () {
      const outcome = yield* sql.withTransaction(
        Effect.gen(function* () {
          const rows = yield* sql<Row>`SELECT kind, target, reason, actor, since FROM tenancy_switches
            WHERE kind = ${input.kind} AND target = ${input.target} FOR UPDATE`
          const previous = rows[0] === undefined ? undefined : toSwitch(rows[0])
          if (previous !== undefined && previous.reason === input.reason) return { previous, stored: previous }
          const stored = yield* sql<Row>`INSERT INTO tenancy_switches (kind, target, reason, actor)
            VALUES (${input.kind}, ${input.target}, ${input.reason}, ${input.actor})
            ON CONFLICT (kind, target) DO UPDATE SET reason = EXCLUDED.reason, actor = EXCLUDED.actor
            RETURNING kind, target, reason, actor, since`
          return { previous, stored: toSwitch(stored[0]!) }
        })
      )
      const unchanged = outcome.previous !== undefined && outcome.previous.reason === input.reason
      if (!unchanged) {
        yield* applyLocally((all) => [
          ...all.filter((s) => !(s.kind === input.kind && s.target === input.target)),
          outcome.stored
        ])
        yield* feed.publish({ _tag: "SwitchesChanged" })
      }
      return {
        _tag: "SwitchChange",
        action: unchanged ? "unchanged" : "set",
        kind: input.kind,
        target: input.target,
        actor: input.actor,
        reason: input.reason,
        previous: outcome.previous,
        at: new Date()
      } satisfies SwitchChange
    }).pipe(Effect.catchTag("SqlError", (error) => Effect.fail(storeError("set a kill switch")(error))))

  const clear: SwitchesShape["clear"] = (input) =>
    Effect.gen(function* () {
      const rows = yield* sql<Row>`DELETE FROM tenancy_switches WHERE kind = ${input.kind} AND target = ${input.target}
        RETURNING kind, target, reason, actor, since`
      const previous = rows[0] === undefined ? undefined : toSwitch(rows[0])
      if (previous !== undefined) {
        yield* applyLocally((all) => all.filter((s) => !(s.kind === input.kind && s.target === input.target)))
        yield* feed.publish({ _tag: "SwitchesChanged" })
      }
      return {
        _tag: "SwitchChange",
        action: previous === undefined ? "unchanged" : "cleared",
        kind: input.kind,
        target: input.target,
        actor: input.actor,
        reason: undefined,
        previous,
        at: new Date()
      } satisfies SwitchChange
    }).pipe(Effect.catchTag("SqlError", (error) => Effect.fail(storeError("clear a kill switch")(error))))

  yield* reload
  yield* feed.subscribe((change) =>
    change._tag !== "SwitchesChanged" && change._tag !== "Resync"
      ? Effect.void
      : reload.pipe(Effect.catch((error) => Effect.logWarning("reloading kill switches failed", error)))
  )

  return Switches.of({ set, clear, list, current: Effect.sync(() => snapshot), currentUnsafe: () => snapshot, reload })
})

/** Provides the switches; fails when they cannot be loaded at start. */
export const layer: Layer.Layer<Switches, TenancyStoreError, SqlClient | ChangeFeed> = Layer.effect(Switches, make)
