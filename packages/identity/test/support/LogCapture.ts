/** Collects every log line (message, annotations, cause) written while the layer is in use, as JSON text. */
import { Context, Effect, Layer, Logger } from "effect"

/** The captured lines. */
export class LogCapture extends Context.Service<LogCapture, { readonly lines: Array<string> }>()(
  "@bulwark/identity/test/LogCapture"
) {
  /** Replaces the loggers with one that records JSON lines, and provides the record. */
  static readonly layer: Layer.Layer<LogCapture> = Layer.unwrap(
    Effect.sync(() => {
      const lines: Array<string> = []
      const capture = Logger.map(Logger.formatJson, (line) => void lines.push(line))
      return Layer.merge(Layer.succeed(LogCapture, { lines }), Logger.layer([capture]))
    })
  )
}
