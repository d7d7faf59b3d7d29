/** A logger that keeps every log event in memory, as the JSON logger would write it, for assertions. */
import { Context, Effect, Layer, Logger, References } from "effect"

/** One captured log event. */
export interface CapturedLog {
  readonly level: string
  readonly message: unknown
  readonly annotations: Readonly<Record<string, unknown>>
}

/** The events logged while its layer was provided. */
export class LogCapture extends Context.Service<LogCapture, { readonly lines: Array<CapturedLog> }>()(
  "@bulwark/audit/test/LogCapture"
) {
  /** Replaces the loggers with one that records into `lines`. */
  static readonly layer: Layer.Layer<LogCapture> = Layer.unwrap(
    Effect.sync(() => {
      const lines: Array<CapturedLog> = []
      const capture = Logger.make(({ logLevel, message, fiber }) => {
        lines.push({ level: logLevel, message, annotations: { ...fiber.getRef(References.CurrentLogAnnotations) } })
      })
      return Layer.merge(Layer.succeed(LogCapture, { lines }), Logger.layer([capture]))
    })
  )
}

/** The `audit` annotations of the captured lines. */
export const auditLines = (lines: ReadonlyArray<CapturedLog>): ReadonlyArray<Record<string, unknown>> =>
  lines.flatMap((line) =>
    typeof line.annotations.audit === "object" && line.annotations.audit !== null
      ? [line.annotations.audit as Record<string, unknown>]
      : []
  )
