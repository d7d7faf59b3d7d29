/**
 * JSON lines logging to stderr.
 *
 * Stdout carries the MCP stdio protocol, so every log line goes to stderr: one JSON object per line with `time`,
 * `level`, `message`, every log annotation, the current span's `traceId`/`spanId` and, when present, the pretty
 * `cause`. Lines are written in bulk, not one system call each: they collect for at most {@link flushMillis} (or
 * until {@link flushBytes} of them wait) and go out in one write. A busy server's access log is a line a request, and
 * each write costs ~4 µs of CPU in Node's stream even to `/dev/null`: written once a turn, it was 3-6% of a request's
 * CPU at 10 connections. An error or fatal line is written at once (with everything before it), and whatever is
 * pending is written when the layer is released and when the process exits, so no line is lost to buffering.
 *
 * @since 0.1.0
 */

import {
  Cause,
  Clock,
  Context,
  Effect,
  type Fiber,
  Formatter,
  Layer,
  Logger,
  LogLevel,
  type Option,
  References,
  Tracer
} from "effect"
import { isoTime } from "./IsoTime.ts"
import { jsonString } from "./JsonString.ts"

const levels: Readonly<Record<string, LogLevel.LogLevel>> = {
  all: "All",
  trace: "Trace",
  debug: "Debug",
  info: "Info",
  warn: "Warn",
  warning: "Warn",
  error: "Error",
  fatal: "Fatal",
  none: "None",
  off: "None",
  silent: "None"
}

/**
 * Reads a `LOG_LEVEL`-style setting, case-insensitive: `trace`, `debug`, `info`, `warn`/`warning`, `error`,
 * `fatal`, `all`, `none`/`off`/`silent`. Empty or missing is `Info`; anything else is `undefined`.
 */
export const parseLevel = (setting: string | undefined): LogLevel.LogLevel | undefined => {
  const key = (setting ?? "").trim().toLowerCase()
  return key === "" ? "Info" : levels[key]
}

// Keys written by the logger itself; an annotation with one of these names is written as `annotation.<name>`.
const reserved: ReadonlySet<string> = new Set(["time", "level", "message", "cause"])

const messageText = (message: unknown): string => {
  const parts: ReadonlyArray<unknown> = Array.isArray(message) ? message : [message]
  if (parts.length === 1 && typeof parts[0] === "string") return parts[0]
  // Always a string, so that log stores index `message` with one type.
  return parts.map((part) => (typeof part === "string" ? part : Formatter.format(part))).join(" ")
}

const isPlain = (value: unknown): boolean =>
  value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean"

/** The JSON text of annotation names, written on every line, each made once; bounded. */
const jsonNames = new Map<string, string>()

const jsonName = (name: string): string => {
  let json = jsonNames.get(name)
  if (json === undefined) {
    json = JSON.stringify(name)
    if (jsonNames.size >= 1000) jsonNames.clear()
    jsonNames.set(name, json)
  }
  return json
}

/** A plain value as JSON: numbers, booleans and null without `JSON.stringify` (the same text). */
const plainJson = (value: string | number | boolean | null): string =>
  typeof value === "string"
    ? jsonString(value)
    : typeof value === "number" && !Number.isFinite(value)
      ? "null"
      : String(value)

/** `,"key":value` for a plain annotation value; undefined for anything else. */
const fieldText = (key: string, value: unknown): string | undefined =>
  isPlain(value)
    ? `,${jsonName(reserved.has(key) ? `annotation.${key}` : key)}:${plainJson(value as string | number | boolean | null)}`
    : undefined

/** `LogLevel.toLowerCase()`, made once per level. */
const levelText: Record<LogLevel.LogLevel, string> = {
  All: "all",
  Fatal: "fatal",
  Error: "error",
  Warn: "warn",
  Info: "info",
  Debug: "debug",
  Trace: "trace",
  None: "none"
}

/**
 * One log event as a single-line JSON object (no trailing newline). A line of plain values (the access log's, most
 * lines) is written field by field; anything else (objects, errors, bigints, a cause) goes through `formatJson`,
 * whose care for redactable values, errors and cycles costs a replacer call per key. The line's annotations are
 * `annotations` with `extra` over them (`{ ...annotations, ...extra }`, without making that object).
 */
const formatLine = (
  millis: number,
  logLevel: LogLevel.LogLevel,
  text: string,
  cause: Cause.Cause<unknown>,
  annotations: Readonly<Record<string, unknown>>,
  span: Option.Option<Tracer.AnySpan>,
  extra?: Readonly<Record<string, unknown>>
): string => {
  let line = `{"time":"${isoTime(millis)}","level":"${levelText[logLevel]}","message":${jsonString(text)}`
  let plain = cause.reasons.length === 0
  let traced = false
  for (const key in annotations) {
    const value = extra !== undefined && key in extra ? extra[key] : annotations[key]
    const text = plain ? fieldText(key, value) : undefined
    if (text === undefined) {
      plain = false
      break
    }
    if (key === "traceId" || key === "spanId") traced = true
    line += text
  }
  if (plain && extra !== undefined) {
    for (const key in extra) {
      if (key in annotations) continue
      const text = fieldText(key, extra[key])
      if (text === undefined) {
        plain = false
        break
      }
      if (key === "traceId" || key === "spanId") traced = true
      line += text
    }
  }
  if (plain && !traced) {
    if (span._tag === "Some") line += `,"traceId":"${span.value.traceId}","spanId":"${span.value.spanId}"`
    return `${line}}`
  }
  const entry: Record<string, unknown> = { time: isoTime(millis), level: levelText[logLevel], message: text }
  for (const [key, value] of Object.entries(extra === undefined ? annotations : { ...annotations, ...extra })) {
    entry[reserved.has(key) ? `annotation.${key}` : key] = value
  }
  if (span._tag === "Some") {
    entry.traceId ??= span.value.traceId
    entry.spanId ??= span.value.spanId
  }
  if (cause.reasons.length > 0) {
    entry.cause = Cause.pretty(cause)
  }
  return Formatter.formatJson(entry)
}

/** Formats one log event as a single-line JSON object (no trailing newline): the line {@link logger} writes. */
export const formatter: Logger.Logger<unknown, string> = Logger.make(({ cause, date, fiber, logLevel, message }) =>
  formatLine(
    date.getTime(),
    logLevel,
    messageText(message),
    cause,
    fiber.getRef(References.CurrentLogAnnotations),
    Context.getOption(fiber.context, Tracer.ParentSpan)
  )
)

/** The longest a line below Error waits to be written, in milliseconds. */
export const flushMillis = 20

/** How much text (UTF-16 code units, about bytes) may wait before it is written without waiting for the timer. */
export const flushBytes = 64 * 1024

/** Lines formatted but not yet written, as one text. */
let pending = ""
let timer: ReturnType<typeof setTimeout> | undefined
let exitHooked = false

/** Writes every pending line to stderr in one write; also the timer's callback (clearing a fired timer does nothing). */
export const flush = (): void => {
  clearTimeout(timer)
  timer = undefined
  if (pending.length === 0) return
  const text = pending
  pending = ""
  process.stderr.write(text)
}

const urgent: ReadonlySet<LogLevel.LogLevel> = new Set(["Error", "Fatal"])

/** Adds a formatted line to the pending ones (see the module's description). */
const write = (line: string, logLevel: LogLevel.LogLevel): void => {
  pending += `${line}\n`
  if (urgent.has(logLevel) || pending.length >= flushBytes) flush()
  else if (timer === undefined) {
    // Unreferenced: a pending line does not keep the process alive; it is written as the process exits, whether the
    // logger came with its layer or not.
    if (!exitHooked) {
      exitHooked = true
      process.on("exit", flush)
    }
    timer = setTimeout(flush, flushMillis).unref()
  }
}

/** Writes each {@link formatter} line to the process's stderr, in bulk (see the module's description). */
export const logger: Logger.Logger<unknown, void> = Logger.make((options) =>
  write(formatter.log(options), options.logLevel)
)

/**
 * Warnings, errors and fatal lines as events of the current span (as `Logger.tracerLogger` writes them), so that a
 * trace shows what went wrong where. Info and lower stay out: every line already carries its `traceId` and `spanId`
 * for a log store to join, and the busiest of them, the access log's one line per request, says what the request's
 * own span already holds (its outcome and duration); copying its annotations into an event cost a tenth of a
 * request's CPU.
 */
export const spanEvents: Logger.Logger<unknown, void> = Logger.make((options) => {
  if (LogLevel.isGreaterThanOrEqualTo(options.logLevel, "Warn")) Logger.tracerLogger.log(options)
})

/** Whether a fiber's loggers are this module's own (see {@link layer}): its line is all they would write below Warn. */
const ownLoggers = (loggers: ReadonlySet<Logger.Logger<unknown, unknown>>): boolean =>
  loggers.has(logger) && loggers.size === (loggers.has(spanEvents) ? 2 : 1)

/**
 * Logs `message` at `logLevel` (below Warn) with `annotations` on top of the fiber's own, as
 * `Effect.logWithLevel(logLevel)(message).pipe(Effect.annotateLogs(annotations))` would. When the fiber's loggers are
 * this module's own, the line is formatted and written now, without the two changes of the fiber's context the
 * annotation costs (the access log's line, on every request, is the busiest line there is); otherwise the returned
 * effect logs it.
 */
export const logAnnotatedUnsafe = (
  fiber: Fiber.Fiber<unknown, unknown>,
  logLevel: LogLevel.Severity,
  message: string,
  annotations: Readonly<Record<string, unknown>>
): Effect.Effect<void> | undefined => {
  if (LogLevel.isGreaterThan(fiber.getRef(References.MinimumLogLevel), logLevel)) return undefined
  if (LogLevel.isGreaterThanOrEqualTo(logLevel, "Warn") || !ownLoggers(fiber.getRef(Logger.CurrentLoggers))) {
    return Effect.logWithLevel(logLevel)(message).pipe(Effect.annotateLogs(annotations))
  }
  const line = formatLine(
    fiber.getRef(Clock.Clock).currentTimeMillisUnsafe(),
    logLevel,
    message,
    Cause.empty,
    fiber.getRef(References.CurrentLogAnnotations),
    Context.getOption(fiber.context, Tracer.ParentSpan),
    annotations
  )
  write(line, logLevel)
  return undefined
}

/** Writes what is pending when the layer is released (the process's exit is hooked by the first line that waits). */
const flushOnRelease: Layer.Layer<never> = Layer.effectDiscard(Effect.addFinalizer(() => Effect.sync(flush)))

/**
 * Replaces the default logger with {@link logger} (and {@link spanEvents} for warnings and errors) and sets the
 * minimum level from a `LOG_LEVEL`-style setting (see {@link parseLevel}). An unknown setting logs a warning and
 * uses `Info`. Provide it to the whole app (`Layer.provide`), not merged beside it.
 */
export const layer = (setting: string | undefined): Layer.Layer<never> => {
  const level = parseLevel(setting)
  const base = Layer.mergeAll(
    Logger.layer([logger, spanEvents]),
    Layer.succeed(References.MinimumLogLevel, level ?? "Info"),
    Layer.succeed(Logger.LogToStderr, true),
    flushOnRelease
  )
  if (level !== undefined) return base
  return Layer.effectDiscard(
    Effect.logWarning("Unknown log level setting, using info").pipe(Effect.annotateLogs({ setting }))
  ).pipe(Layer.provideMerge(base))
}
