/**
 * The tenants, stored in PostgreSQL (`tenancy_tenants`): read, written by the admin API, and synced from the config
 * file. Every change is announced on the {@link ChangeFeed}, so running tenants pick it up on every instance.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import { ChangeFeed } from "./ChangeFeed.ts"
import { TenancyStoreError, TenantConfigInvalid, TenantNotFound } from "./Errors.ts"
import * as TenantConfig from "./TenantConfig.ts"

/** Who owns a stored tenant: the config file (`sync`) or the admin API (`upsert`). */
export type TenantSource = "config" | "admin"

/** A tenant as stored. */
export interface StoredTenant {
  readonly config: TenantConfig.TenantConfig
  readonly source: TenantSource
  readonly updatedAt: Date
}

/** What a write did, as a value the app can record in its audit log. */
export interface TenantChange {
  readonly _tag: "TenantChange"
  readonly action: "created" | "updated" | "disabled" | "unchanged"
  readonly tenantId: string
  readonly source: TenantSource
  readonly before: TenantConfig.TenantConfig | undefined
  readonly after: TenantConfig.TenantConfig
}

/** The tenant directory. */
export interface TenantDirectoryShape {
  readonly get: (tenantId: string) => Effect.Effect<Option.Option<StoredTenant>, TenancyStoreError>
  readonly list: Effect.Effect<ReadonlyArray<StoredTenant>, TenancyStoreError>
  /** Creates or replaces a tenant (source `admin` unless told otherwise). */
  readonly upsert: (
    config: TenantConfig.TenantConfig,
    options?: { readonly source?: TenantSource }
  ) => Effect.Effect<TenantChange, TenancyStoreError>
  /** Disables a tenant: its requests are refused from the next one on. */
  readonly disable: (tenantId: string) => Effect.Effect<TenantChange, TenantNotFound | TenancyStoreError>
  /**
   * Makes the stored tenants match the config file: each listed tenant is created or replaced (source `config`),
   * and a tenant the file listed before but no longer does is disabled. Tenants of the admin API are left alone.
   * Returns the changes (nothing for tenants that did not change). Several instances may sync at once.
   */
  readonly sync: (
    configs: ReadonlyArray<TenantConfig.TenantConfig>
  ) => Effect.Effect<ReadonlyArray<TenantChange>, TenantConfigInvalid | TenancyStoreError>
}

/** Tenants in PostgreSQL. */
export class TenantDirectory extends Context.Service<TenantDirectory, TenantDirectoryShape>()(
  "@bulwark/tenancy/TenantDirectory"
) {}

interface Row {
  readonly id: string
  readonly config: unknown
  readonly source: string
  readonly updated_at: Date | string
}

const canonical = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonical)
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((key) => [key, canonical(record[key])])
    )
  }
  return value
}

/** Whether two configurations say the same (jsonb does not keep key order). */
export const sameConfig = (a: TenantConfig.TenantConfig, b: TenantConfig.TenantConfig): boolean =>
  JSON.stringify(canonical(TenantConfig.encode(a))) === JSON.stringify(canonical(TenantConfig.encode(b)))

const toStored = (row: Row): Effect.Effect<StoredTenant, TenancyStoreError> =>
  Effect.try({
    try: (): unknown => (typeof row.config === "string" ? JSON.parse(row.config) : row.config),
    catch: (cause) => cause
  }).pipe(
    Effect.flatMap(TenantConfig.decode),
    Effect.mapError((cause) => new TenancyStoreError({ operation: `decode the stored tenant "${row.id}"`, cause })),
    Effect.map((config) => ({
      config,
      source: row.source === "config" ? "config" : "admin",
      updatedAt: new Date(row.updated_at)
    }))
  )

const storeError =
  (operation: string) =>
  (cause: SqlError): TenancyStoreError =>
    new TenancyStoreError({ operation, cause })

const change = (
  action: TenantChange["action"],
  source: TenantSource,
  before: StoredTenant | undefined,
  after: TenantConfig.TenantConfig
): TenantChange => ({ _tag: "TenantChange", action, tenantId: after.id, source, before: before?.config, after })

/** Builds the directory over `SqlClient`, announcing changes on the feed. */
export const make: Effect.Effect<TenantDirectoryShape, never, SqlClient | ChangeFeed> = Effect.gen(function* () {
  const sql = yield* SqlClient
  const feed = yield* ChangeFeed

  const readOne = (tenantId: string, lock: boolean) =>
    Effect.flatMap(
      lock
        ? sql<Row>`SELECT id, config, source, updated_at FROM tenancy_tenants WHERE id = ${tenantId} FOR UPDATE`
        : sql<Row>`SELECT id, config, source, updated_at FROM tenancy_tenants WHERE id = ${tenantId}`,
      (rows) => (rows[0] === undefined ? Effect.succeed(undefined) : toStored(rows[0]))
    )

  const write = (config: TenantConfig.TenantConfig, source: TenantSource) =>
    sql`INSERT INTO tenancy_tenants (id, config, source)
        VALUES (${config.id}, ${JSON.stringify(TenantConfig.encode(config))}::jsonb, ${source})
        ON CONFLICT (id) DO UPDATE SET config = EXCLUDED.config, source = EXCLUDED.source, updated_at = now()`

  /** Writes `config` unless it is what is stored already; returns the change. */
  const put = (before: StoredTenant | undefined, config: TenantConfig.TenantConfig, source: TenantSource) => {
    if (before !== undefined && before.source === source && sameConfig(before.config, config)) {
      return Effect.succeed(change("unchanged", source, before, config))
    }
    const action = before === undefined ? "created" : before.config.enabled && !config.enabled ? "disabled" : "updated"
    return Effect.as(write(config, source), change(action, source, before, config))
  }

  const announce = (changes: ReadonlyArray<TenantChange>) =>
    Effect.forEach(
      changes.filter((c) => c.action !== "unchanged"),
      (c) => feed.publish({ _tag: "TenantChanged", tenantId: c.tenantId }),
      { discard: true }
    )

  const get = (tenantId: string) =>
    readOne(tenantId, false).pipe(
      Effect.map(Option.fromUndefinedOr),
      Effect.catchTag("SqlError", (error) => Effect.fail(storeError(`read tenant "${tenantId}"`)(error)))
    )

  const list = sql<Row>`SELECT id, config, source, updated_at FROM tenancy_tenants ORDER BY id`.pipe(
    Effect.catchTag("SqlError", (error) => Effect.fail(storeError("list tenants")(error))),
    Effect.flatMap((rows) => Effect.forEach(rows, toStored))
  )

  const upsert: TenantDirectoryShape["upsert"] = (config, options) =>
    sql
      .withTransaction(
        Effect.flatMap(readOne(config.id, true), (before) => put(before, config, options?.source ?? "admin"))
      )
      .pipe(
        Effect.catchTag("SqlError", (error) => Effect.fail(storeError(`write tenant "${config.id}"`)(error))),
        Effect.tap((c) => announce([c]))
      )

  const disable: TenantDirectoryShape["disable"] = (tenantId) =>
    sql
      .withTransaction(
        Effect.flatMap(
          readOne(tenantId, true),
          (before): Effect.Effect<TenantChange, TenantNotFound | SqlError> =>
            before === undefined
              ? Effect.fail(new TenantNotFound({ tenantId }))
              : put(before, { ...before.config, enabled: false }, before.source)
        )
      )
      .pipe(
        Effect.catchTag("SqlError", (error) => Effect.fail(storeError(`disable tenant "${tenantId}"`)(error))),
        Effect.tap((c) => announce([c]))
      )

  const sync: TenantDirectoryShape["sync"] = (configs) =>
    Effect.gen(function* () {
      const ids = new Set<string>()
      for (const config of configs) {
        if (ids.has(config.id)) {
          return yield* new TenantConfigInvalid({
            tenantId: config.id,
            message: `Tenant "${config.id}" is listed twice in the configuration; give every tenant its own id.`
          })
        }
        ids.add(config.id)
      }
      const changes = yield* sql
        .withTransaction(
          Effect.gen(function* () {
            // One sync at a time across instances, so that concurrent reloads cannot interleave their writes.
            yield* sql`SELECT pg_advisory_xact_lock(hashtext('bulwark_tenancy_sync'))`
            const rows = yield* sql<Row>`SELECT id, config, source, updated_at FROM tenancy_tenants FOR UPDATE`
            const stored = new Map<string, StoredTenant>()
            for (const row of rows) stored.set(row.id, yield* toStored(row))
            const result: Array<TenantChange> = []
            for (const config of configs) result.push(yield* put(stored.get(config.id), config, "config"))
            for (const [id, before] of stored) {
              if (before.source === "config" && !ids.has(id) && before.config.enabled) {
                result.push(yield* put(before, { ...before.config, enabled: false }, "config"))
              }
            }
            return result
          })
        )
        .pipe(Effect.catchTag("SqlError", (error) => Effect.fail(storeError("sync tenants")(error))))
      yield* announce(changes)
      return changes.filter((c) => c.action !== "unchanged")
    })

  return TenantDirectory.of({ get, list, upsert, disable, sync })
})

/** Provides the directory. */
export const layer: Layer.Layer<TenantDirectory, never, SqlClient | ChangeFeed> = Layer.effect(TenantDirectory, make)
