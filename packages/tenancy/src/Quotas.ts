/**
 * Daily and monthly cost-unit quotas per tenant, counted exactly in PostgreSQL (`tenancy_usage`). Periods are UTC
 * calendar days and months. A call's units are reserved before it runs, in one transaction of conditional UPSERTs
 * (`... DO UPDATE ... WHERE units + cost <= limit RETURNING units`): either every configured period has room and all
 * are charged, or none is.
 *
 * @since 0.1.0
 */
import { Clock, Context, Data, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { TenancyStoreError } from "./Errors.ts"

/** A quota period. */
export type QuotaPeriod = "day" | "month"

/** One period as of a moment: its first day (`YYYY-MM-DD`, UTC) and when the next one starts (epoch ms). */
export interface PeriodWindow {
  readonly period: QuotaPeriod
  readonly start: string
  readonly resetsAt: number
}

/** The day and month containing `now` (epoch ms). */
export const windowsAt = (now: number): { readonly day: PeriodWindow; readonly month: PeriodWindow } => {
  const date = new Date(now)
  const year = date.getUTCFullYear()
  const month = date.getUTCMonth()
  const day = date.getUTCDate()
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10)
  const dayStart = Date.UTC(year, month, day)
  const monthStart = Date.UTC(year, month, 1)
  return {
    day: { period: "day", start: iso(dayStart), resetsAt: Date.UTC(year, month, day + 1) },
    month: { period: "month", start: iso(monthStart), resetsAt: Date.UTC(year, month + 1, 1) }
  }
}

/** A call would take the tenant over a quota. */
export class QuotaExceeded extends Data.TaggedError("QuotaExceeded")<{
  readonly tenantId: string
  readonly period: QuotaPeriod
  readonly limit: number
  /** Until the period resets. */
  readonly retryAfterMs: number
}> {}

/** Units charged by one reservation, and where (for a refund). */
export interface Reservation {
  readonly tenantId: string
  readonly units: number
  readonly periods: ReadonlyArray<PeriodWindow>
}

/** The quota store. */
export interface QuotasShape {
  /** Charges `units` to each configured period at once, or to none and fails with the first period over its limit. */
  readonly reserve: (input: {
    readonly tenantId: string
    readonly units: number
    readonly daily: number | undefined
    readonly monthly: number | undefined
  }) => Effect.Effect<Reservation, QuotaExceeded | TenancyStoreError>
  /** Gives a reservation's units back (for a call a later guard refused). */
  readonly refund: (reservation: Reservation) => Effect.Effect<void, TenancyStoreError>
  /** Units used in the current day and month. */
  readonly usage: (
    tenantId: string
  ) => Effect.Effect<{ readonly day: number; readonly month: number }, TenancyStoreError>
}

/** Quotas counted in PostgreSQL. */
export class Quotas extends Context.Service<Quotas, QuotasShape>()("@bulwark/tenancy/Quotas") {}

/** Builds the quota store over `SqlClient`. */
export const make: Effect.Effect<QuotasShape, never, SqlClient> = Effect.gen(function* () {
  const sql = yield* SqlClient

  const charge = (tenantId: string, window: PeriodWindow, units: number, limit: number) =>
    sql<{ readonly units: string | number }>`
      INSERT INTO tenancy_usage (tenant_id, period, period_start, units)
      VALUES (${tenantId}, ${window.period}, ${window.start}::date, ${units})
      ON CONFLICT (tenant_id, period, period_start)
      DO UPDATE SET units = tenancy_usage.units + EXCLUDED.units
      WHERE tenancy_usage.units + EXCLUDED.units <= ${limit}
      RETURNING units`.pipe(Effect.map((rows) => rows.length > 0))

  const reserve: QuotasShape["reserve"] = ({ tenantId, units, daily, monthly }) =>
    // Nothing to count (no quota configured, or a free call): no clock, no calendar, no database.
    units === 0 || (daily === undefined && monthly === undefined)
      ? Effect.succeed({ tenantId, units: 0, periods: [] })
      : reserveCounted({ tenantId, units, daily, monthly })

  const reserveCounted: QuotasShape["reserve"] = ({ tenantId, units, daily, monthly }) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const windows = windowsAt(now)
      const wanted: Array<{ readonly window: PeriodWindow; readonly limit: number }> = []
      if (daily !== undefined) wanted.push({ window: windows.day, limit: daily })
      if (monthly !== undefined) wanted.push({ window: windows.month, limit: monthly })
      const exceeded = (window: PeriodWindow, limit: number) =>
        new QuotaExceeded({ tenantId, period: window.period, limit, retryAfterMs: window.resetsAt - now })
      for (const { window, limit } of wanted) if (units > limit) return yield* exceeded(window, limit)
      // Day before month in every transaction, so that concurrent reservations lock rows in one order.
      yield* sql.withTransaction(
        Effect.forEach(
          wanted,
          ({ window, limit }) =>
            Effect.flatMap(charge(tenantId, window, units, limit), (ok) =>
              ok ? Effect.void : Effect.fail(exceeded(window, limit))
            ),
          { discard: true }
        )
      )
      return { tenantId, units, periods: wanted.map((w) => w.window) }
    }).pipe(
      Effect.catchTag("SqlError", (cause) => Effect.fail(new TenancyStoreError({ operation: "reserve quota", cause })))
    )

  const refund: QuotasShape["refund"] = (reservation) =>
    Effect.forEach(
      reservation.periods,
      (window) =>
        sql`UPDATE tenancy_usage SET units = GREATEST(units - ${reservation.units}, 0)
            WHERE tenant_id = ${reservation.tenantId} AND period = ${window.period}
              AND period_start = ${window.start}::date`,
      { discard: true }
    ).pipe(
      Effect.catchTag("SqlError", (cause) => Effect.fail(new TenancyStoreError({ operation: "refund quota", cause })))
    )

  const usage: QuotasShape["usage"] = (tenantId) =>
    Effect.gen(function* () {
      const windows = windowsAt(yield* Clock.currentTimeMillis)
      const rows = yield* sql<{ readonly period: string; readonly units: string | number }>`
        SELECT period, units FROM tenancy_usage
        WHERE tenant_id = ${tenantId}
          AND ((period = 'day' AND period_start = ${windows.day.start}::date)
            OR (period = 'month' AND period_start = ${windows.month.start}::date))`
      const of = (period: QuotaPeriod) => Number(rows.find((row) => row.period === period)?.units ?? 0)
      return { day: of("day"), month: of("month") }
    }).pipe(
      Effect.catchTag("SqlError", (cause) =>
        Effect.fail(new TenancyStoreError({ operation: "read quota usage", cause }))
      )
    )

  return Quotas.of({ reserve, refund, usage })
})

/** Provides the quota store. */
export const layer: Layer.Layer<Quotas, never, SqlClient> = Layer.effect(Quotas, make)
